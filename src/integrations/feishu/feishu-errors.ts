import { ChatDeliveryError } from '../../domain/errors';

/**
 * What a Feishu Open API failure means for the caller. `token` = the tenant token was revoked or
 * is otherwise unusable: drop it, fetch a new one, try once more.
 */
export type FeishuErrorKind = ChatDeliveryError['kind'] | 'token';

/**
 * Feishu error codes by meaning. Sources: the generic error-code page
 * (https://open.feishu.cn/document/server-docs/api-call-guide/generic-error-code), the send/PATCH
 * message pages, the frequency-control page; ../shared/reference/chat-platforms.md §2.9.
 * 230020 is a per-chat throttle (retry later), not a revoked target as the SDK's own Channel says.
 */
export const FEISHU_ERROR_TABLE: Record<number, FeishuErrorKind> = {
  // tenant_access_token missing / invalid / malformed: refresh and retry once
  99991661: 'token',
  99991663: 'token',
  99991671: 'token',
  // frequency control
  99991400: 'rate_limited',
  230020: 'rate_limited',
  11232: 'rate_limited',
  // the app itself: credentials, scopes, installation — a person must act
  99991543: 'permanent',
  99991662: 'permanent',
  99991672: 'permanent',
  99991673: 'permanent',
  99991676: 'permanent',
  // message API: bad request, bot not in chat, no bot ability, card rejected, receiver out of scope
  230001: 'permanent',
  230002: 'permanent',
  230006: 'permanent',
  230013: 'permanent',
  230025: 'permanent',
  230099: 'permanent',
  // the message is gone: recalled, deleted, or not found
  230011: 'gone',
  230110: 'gone',
  231003: 'gone',
};

/** A failed Open API call with what Feishu said. */
export class FeishuApiError extends Error {
  constructor(
    readonly kind: FeishuErrorKind,
    readonly code: number | undefined,
    readonly httpStatus: number | undefined,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'FeishuApiError';
  }

  toDelivery(): ChatDeliveryError {
    const kind = this.kind === 'token' ? 'transient' : this.kind;
    return new ChatDeliveryError(kind, this.message, this.retryAfterMs);
  }
}

interface AxiosLike {
  message?: string;
  code?: string;
  response?: { status?: number; data?: unknown; headers?: Record<string, unknown> };
}

/** `x-ogw-ratelimit-reset` is seconds until the window resets. */
export function retryAfterFrom(headers: Record<string, unknown> | undefined): number | undefined {
  const raw = headers?.['x-ogw-ratelimit-reset'] ?? headers?.['retry-after'];
  const s = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isFinite(s) && s >= 0 ? Math.ceil(s * 1000) : undefined;
}

/** Classify a thrown axios error or a `{code, msg}` body with a non-zero code. */
export function classifyFeishuError(err: unknown, what: string): FeishuApiError {
  if (err instanceof FeishuApiError) return err;
  const e = (err ?? {}) as AxiosLike;
  // The SDK's token fetch answers a refused app id / secret with a plain Error naming Feishu's code.
  const tokenFetch = /failed to get tenant_access_token, code: (\d+)/.exec(e.message ?? '');
  if (tokenFetch && !e.response) {
    return new FeishuApiError('permanent', Number(tokenFetch[1]), undefined, `feishu ${what} failed: ${e.message} (check FEISHU_APP_ID and FEISHU_APP_SECRET)`);
  }
  const status = e.response?.status;
  const body = (e.response?.data ?? (err as { code?: unknown }) ?? {}) as { code?: unknown; msg?: unknown };
  const code = typeof body.code === 'number' ? body.code : undefined;
  const msg = typeof body.msg === 'string' ? body.msg : e.message ?? String(err);
  const retryAfterMs = retryAfterFrom(e.response?.headers);
  const described = `feishu ${what} failed${code !== undefined ? ` (code ${code})` : ''}${status ? ` HTTP ${status}` : ''}: ${msg}`;
  let kind: FeishuErrorKind | undefined = code !== undefined ? FEISHU_ERROR_TABLE[code] : undefined;
  if (!kind) {
    if (status === 429) kind = 'rate_limited';
    else if (status === 404 && what.startsWith('message.patch')) kind = 'gone';
    else if (status !== undefined && status >= 500) kind = 'transient';
    else if (status !== undefined && status >= 400) kind = 'permanent';
    else if (status === undefined && code === undefined) kind = 'transient'; // network: reset, timeout, DNS
    else kind = 'permanent'; // HTTP 200 with an unknown non-zero code: the request itself is wrong
  }
  return new FeishuApiError(kind, code, status, described, kind === 'rate_limited' ? retryAfterMs ?? 1000 : retryAfterMs);
}
