/** Every error code that leaves the process (HTTP bodies, logs, chat replies). */
export enum ErrorCode {
  ConfigInvalid = 'orderops_config_invalid',
  BodyTooLarge = 'orderops_body_too_large',
  SignatureMissing = 'orderops_signature_missing',
  SignatureInvalid = 'orderops_signature_invalid',
  SecretNotConfigured = 'orderops_secret_not_configured',
  MalformedJson = 'orderops_malformed_json',
  SchemaInvalid = 'orderops_schema_invalid',
  OrderUnstorable = 'orderops_order_unstorable',
  UnknownSource = 'orderops_unknown_source',
  IntakeOverloaded = 'orderops_intake_overloaded',
  IntakeUnavailable = 'orderops_intake_unavailable',
  Unauthorized = 'orderops_unauthorized',
  NotFound = 'orderops_not_found',
  BadRequest = 'orderops_bad_request',
  Internal = 'orderops_internal',
  Forbidden = 'orderops_forbidden',
  Conflict = 'orderops_conflict',
}

/** A broken invariant or an unusable setup, with advice on what to do next. */
export class OrderopsError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'OrderopsError';
  }
}

/**
 * A chat platform call that failed, classified so the job knows what to do: `rate_limited` and
 * `transient` are retried (after `retryAfterMs` when the platform said), `permanent` is recorded
 * and not retried (unknown channel, missing scope), `gone` means the message no longer exists.
 */
export class ChatDeliveryError extends Error {
  constructor(
    readonly kind: 'rate_limited' | 'transient' | 'permanent' | 'gone',
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ChatDeliveryError';
  }
}
