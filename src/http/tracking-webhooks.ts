import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ErrorCode } from '../domain/errors';
import { kuaidi100State, TRACKING_STATES } from '../domain/tracking';
import { recordTracking, type RecordTrackingDeps, type TrackingUpdate } from '../actions/record-tracking';
import { recordRejection } from '../db/rejects';
import { gmt8ToIso } from '../integrations/platforms/common/china-time';
import { verifySignature, SIGNATURE_HEADER } from '../integrations/platforms/generic/signature';
import { kuaidi100Sign } from '../integrations/tracking/kuaidi100';
import { sendError } from './errors';

export interface TrackingWebhookDeps extends RecordTrackingDeps {
  logger: Logger;
  /** KUAIDI100_SALT: 快递100 pushes are refused without it. */
  kuaidi100Salt?: string;
  /** ORDER_WEBHOOK_SECRET: the generic tracking webhook is signed like the order webhook. */
  webhookSecret?: string;
}

/** What 快递100 expects back; anything else makes it push again (3 times, ~30 min apart). */
export const KUAIDI100_OK = { result: true, returnCode: '200', message: '成功' } as const;

const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined);

/** 快递100's push `param` → our update (ops-signals-and-calendar.md §3.1). */
export function readKuaidi100Param(p: Record<string, unknown>): TrackingUpdate | { error: string } {
  const last = obj(p.lastResult);
  const nu = str(last.nu);
  if (!nu) return { error: 'lastResult.nu (the tracking number) is missing' };
  const data = Array.isArray(last.data) ? last.data.map(obj) : [];
  const time = (d: Record<string, unknown> | undefined) => {
    const iso = gmt8ToIso(d?.ftime ?? d?.time);
    return iso ? new Date(iso) : null;
  };
  const status = str(p.status);
  const code = str(last.state);
  return {
    trackingNo: nu,
    carrier: str(last.com),
    state: str(last.ischeck) === '1' ? 'delivered' : kuaidi100State(code),
    code,
    // Newest first: data[0] is the latest step, the last entry the first scan.
    at: time(data[0]),
    firstScanAt: time(data.at(-1)),
    context: str(data[0]?.context),
    abort: status === 'abort' ? (str(p.message) ?? 'abort') : undefined,
  };
}

const genericEvent = z.looseObject({
  tracking_no: z.string().trim().regex(/^[A-Za-z0-9-]{4,64}$/, 'must be 4–64 letters, digits or -'),
  carrier: z.string().trim().min(1).max(64).optional(),
  source: z.string().trim().min(1).max(64).optional(),
  order_id: z.string().trim().min(1).max(128).optional(),
  status: z.enum(TRACKING_STATES),
  at: z.iso.datetime({ offset: true, message: 'must be ISO 8601 with an offset' }),
  message: z.string().max(500).optional(),
}).refine((e) => (e.source === undefined) === (e.order_id === undefined), 'give both source and order_id, or neither');

/**
 * Carrier tracking pushes:
 * - `POST /webhooks/tracking/kuaidi100`: form fields `param` (JSON) and `sign` = MD5(param + salt),
 *   upper-case hex (either case accepted). No salt configured → 503; missing or wrong sign → 401 and
 *   nothing changes; a good push → 200 with 快递100's `{"result":true,"returnCode":"200","message":"成功"}`.
 * - `POST /webhooks/tracking/generic`: one event or an array, signed like the order webhook
 *   (`X-Orderops-Signature: sha256=<hex HMAC of the raw body>`, ORDER_WEBHOOK_SECRET).
 */
export function registerTrackingWebhooks(app: FastifyInstance, deps: TrackingWebhookDeps): void {
  app.post('/webhooks/tracking/kuaidi100', { bodyLimit: 1024 * 1024 }, async (req, reply) => {
    if (!deps.kuaidi100Salt) return sendError(reply, 503, ErrorCode.SecretNotConfigured, '快递100 pushes are not taken: set KUAIDI100_SALT to the salt given when subscribing');
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const form = new URLSearchParams(body);
    const param = form.get('param');
    const sign = form.get('sign');
    if (!param || !sign) return sendError(reply, 401, ErrorCode.SignatureMissing, 'form fields param and sign are required (sign = MD5(param + salt))');
    const expected = Buffer.from(kuaidi100Sign(param, deps.kuaidi100Salt));
    const given = Buffer.from(sign.trim().toUpperCase());
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return sendError(reply, 401, ErrorCode.SignatureInvalid, 'sign does not match MD5(param + salt): check KUAIDI100_SALT against the salt of the subscription');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(param);
    } catch (e) {
      await keep(deps, 'tracking:kuaidi100', 400, 'malformed_json', body);
      return sendError(reply, 400, ErrorCode.MalformedJson, `param is not valid JSON: ${(e as Error).message}`);
    }
    const update = readKuaidi100Param(obj(parsed));
    if ('error' in update) {
      await keep(deps, 'tracking:kuaidi100', 422, 'schema', body);
      return sendError(reply, 422, ErrorCode.SchemaInvalid, update.error);
    }
    try {
      const orders = await recordTracking(deps, update, 'kuaidi100');
      if (orders.length === 0) deps.logger.info({ trackingNo: update.trackingNo }, '快递100 push for a tracking number no order has');
      return reply.send(KUAIDI100_OK);
    } catch (e) {
      deps.logger.error({ err: (e as Error).message }, '快递100 push not recorded');
      return reply.code(503).send({ result: false, returnCode: '500', message: 'not recorded, push again later' });
    }
  });

  app.post('/webhooks/tracking/generic', { bodyLimit: 1024 * 1024 }, async (req, reply) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!deps.webhookSecret) return sendError(reply, 503, ErrorCode.SecretNotConfigured, 'the tracking webhook is disabled: set ORDER_WEBHOOK_SECRET');
    const check = verifySignature(deps.webhookSecret, raw, req.headers[SIGNATURE_HEADER]);
    if (!check.ok) {
      return sendError(reply, 401, check.reason === 'missing' ? ErrorCode.SignatureMissing : ErrorCode.SignatureInvalid,
        'sign the raw body with HMAC-SHA256 and the shared secret, and send X-Orderops-Signature: sha256=<hex>');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch (e) {
      await keep(deps, 'tracking:generic', 400, 'malformed_json', raw.toString('utf8'));
      return sendError(reply, 400, ErrorCode.MalformedJson, `body is not valid JSON: ${(e as Error).message}`);
    }
    const list = Array.isArray(payload) ? payload : [payload];
    const errors: { index: number; field: string; message: string }[] = [];
    const events = list.map((item, index) => {
      const r = genericEvent.safeParse(item);
      if (!r.success) errors.push(...r.error.issues.map((i) => ({ index, field: i.path.map(String).join('.') || '(event)', message: i.message })));
      return r.success ? r.data : undefined;
    });
    if (errors.length > 0 || list.length === 0 || list.length > 1000) {
      await keep(deps, 'tracking:generic', 422, 'schema', raw.toString('utf8'));
      return sendError(reply, 422, ErrorCode.SchemaInvalid, list.length === 0 ? 'no events' : list.length > 1000 ? 'at most 1000 events per request' : 'tracking events failed validation; nothing was applied', { errors });
    }
    const results = [];
    for (const e of events) {
      const orders = await recordTracking(deps, {
        trackingNo: e!.tracking_no, carrier: e!.carrier, order: e!.source ? { source: e!.source, externalId: e!.order_id! } : undefined,
        state: e!.status, at: new Date(e!.at), context: e!.message,
      }, 'generic');
      results.push({ tracking_no: e!.tracking_no, result: orders.length > 0 ? 'recorded' : 'unknown_tracking_number', orders: orders.length });
    }
    return reply.send({ ok: true, results });
  });
}

async function keep(deps: TrackingWebhookDeps, source: string, httpStatus: number, reason: string, body: string): Promise<void> {
  await recordRejection(deps.pool, { source, httpStatus, reason, errors: [], body: Buffer.from(body), headers: {}, remoteAddr: undefined, via: 'tracking' })
    .catch((e: unknown) => deps.logger.error({ err: (e as Error).message }, 'could not record a rejected tracking push'));
}
