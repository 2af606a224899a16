import { isUtf8 } from 'node:buffer';
import type pg from 'pg';
import type { Logger } from 'pino';
import { QueueFullError } from '../db/group-commit';
import { recordRejection } from '../db/rejects';
import { isRefused, type IntakeResult, type OrderIntake } from '../actions/ingest-orders';
import type { WriteResult } from '../db/order-writes';
import type { ItemError, OrderSource } from '../integrations/platforms/source';
import { ErrorCode } from '../domain/errors';
import { MAX_JSON_DEPTH, tooDeep } from '../domain/orders/storable';

export interface PayloadDeps {
  pool: pg.Pool;
  intake: Pick<OrderIntake, 'ingest'>;
  logger: Logger;
}

export interface PayloadRequest {
  source: string;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
  remoteAddr?: string;
  /** When the request arrived (ISO 8601). */
  receivedAt: string;
  /** False on a replay: the payload is already in the rejected store. */
  keep: boolean;
}

/** What the intake answers a (signed) payload: status, body, and the metric reason of a refusal. */
export interface PayloadAnswer {
  status: number;
  body: Record<string, unknown>;
  /** Set for a refusal: malformed_json, too_deep, schema, unstorable, overloaded, unavailable. */
  reason?: string;
  results?: IntakeResult[];
}

const KEPT_HEADERS = ['content-type', 'user-agent', 'x-orderops-signature', 'x-forwarded-for',
  'app-id', 'event-sign', 'x-shopify-topic', 'x-shopify-shop-domain', 'x-shopify-webhook-id', 'x-shopify-hmac-sha256'];

const error = (code: ErrorCode, message: string, extra: Record<string, unknown> = {}) => ({ ok: false, error: code, message, ...extra });

/**
 * The path of a signed order payload, shared by `POST /webhooks/orders/:source` and
 * `orderops rejected replay`: JSON (400) → nesting (422) → the source's schema (422) → group commit
 * (200, or 422 for an order Postgres refuses while the others commit; 503 only when a retry can help).
 * Every refusal of a payload is kept in rejected_payloads (unless it is a replay).
 */
export async function takePayload(deps: PayloadDeps, source: OrderSource, req: PayloadRequest): Promise<PayloadAnswer> {
  const headers: Record<string, unknown> = {};
  for (const h of KEPT_HEADERS) if (req.headers[h] !== undefined) headers[h] = req.headers[h];
  const keep = async (httpStatus: number, reason: string, errors: unknown): Promise<number | undefined> => {
    if (!req.keep) return undefined;
    try {
      return await recordRejection(deps.pool, { source: req.source, httpStatus, reason, errors, body: req.body, headers, remoteAddr: req.remoteAddr, via: 'webhook' });
    } catch (e) {
      deps.logger.error({ err: (e as Error).message }, 'could not record a rejected payload');
      return undefined;
    }
  };

  let payload: unknown;
  try {
    payload = JSON.parse(req.body.toString('utf8'));
  } catch (e) {
    const message = `body is not valid JSON: ${(e as Error).message}`;
    const id = await keep(400, 'malformed_json', [{ message }]);
    return { status: 400, reason: 'malformed_json', body: error(ErrorCode.MalformedJson, message, id === undefined ? {} : { rejection_id: id }) };
  }

  const deep = tooDeep(payload);
  if (deep !== null) {
    const errors = [{ field: deep, message: `is nested deeper than ${MAX_JSON_DEPTH} levels` }];
    const id = await keep(422, 'too_deep', errors);
    return { status: 422, reason: 'too_deep', body: error(ErrorCode.SchemaInvalid, `payload is nested deeper than ${MAX_JSON_DEPTH} levels at ${deep}`, { errors, rejection_id: id }) };
  }

  const parsed = source.parse(payload, { body: req.body, headers: req.headers, receivedAt: req.receivedAt });
  if (!parsed.ok) {
    const id = await keep(422, 'schema', parsed.errors);
    return {
      status: 422, reason: 'schema',
      body: error(ErrorCode.SchemaInvalid, `order failed validation: ${fieldList(parsed.errors)}`, { errors: parsed.errors, rejection_id: id }),
    };
  }

  // Bytes that are not UTF-8 were read as U+FFFD: the order is stored with its request bytes beside it.
  const repaired = isUtf8(req.body) ? undefined : ['(body: bytes that are not UTF-8, read as U+FFFD)'];
  const orders = parsed.orders.map((o) => ({ ...o, body: req.body, ...(repaired ? { repaired } : {}) }));
  let results: IntakeResult[];
  try {
    results = await deps.intake.ingest(orders, { via: 'webhook', body: req.body, headers, remoteAddr: req.remoteAddr, keep: req.keep });
  } catch (e) {
    if (e instanceof QueueFullError) {
      return { status: 503, reason: 'overloaded', body: error(ErrorCode.IntakeOverloaded, `${e.message}; retry after 1 s — nothing from this request was stored`) };
    }
    deps.logger.error({ err: (e as Error).message }, 'intake write failed');
    return { status: 503, reason: 'unavailable', body: error(ErrorCode.IntakeUnavailable, 'the order store is unavailable; nothing was acknowledged, retry later') };
  }

  const refused = results.filter(isRefused);
  const many = Array.isArray(payload);
  if (refused.length > 0) {
    const errors = refused.map((r) => ({ ...(many ? { index: r.refusal.index } : {}), field: r.refusal.field, message: r.refusal.message }));
    const unstorable = refused.some((r) => r.refusal.reason === 'unstorable');
    return {
      status: 422, reason: unstorable ? 'unstorable' : 'schema', results,
      body: error(unstorable ? ErrorCode.OrderUnstorable : ErrorCode.SchemaInvalid,
        `${refused.length} of ${results.length} order(s) refused (${fieldList(errors)}); the others were committed`,
        { errors, orders: results.map((r) => ({ id: r.externalId, result: r.outcome })), rejection_id: refused[0]!.rejectionId }),
    };
  }
  const written = results as WriteResult[];
  return {
    status: 200, results,
    body: (source.successBody?.(written) as Record<string, unknown> | undefined) ?? {
      ok: true,
      received: written.length,
      orders: written.map((r) => ({ id: r.externalId, result: r.outcome })),
    },
  };
}

function fieldList(errors: Pick<ItemError, 'index' | 'field'>[]): string {
  return [...new Set(errors.map((e) => (e.index !== undefined ? `[${e.index}].` : '') + e.field))].join(', ');
}
