import type { IncomingOrder } from '../../../domain/platforms/ports';
import type { ItemError, OrderSource } from '../source';
import { header } from '../common/headers';
import { parseJsonLossless } from '../common/lossless-json';
import { isObj, jsonObjectField, str, type Json } from '../common/platform-order';
import { mapDouyinPush, type DouyinMessage } from './push-map';
import { verifyPush } from './sign';

export interface DouyinCredentials {
  appKey?: string;
  appSecret?: string;
}

/** What Douyin requires as the answer to a push it should consider delivered (§1.1). */
export const DOUYIN_SUCCESS = { code: 0, msg: 'success' } as const;

/**
 * `POST /webhooks/orders/douyin`: the 抖店 message push, a JSON array of `{tag, msg_id, data}`
 * signed with `event-sign`. Each order message becomes a partial order keyed by `p_id`.
 *
 * Duplicates: a redelivered message (same msg_id, same bytes) hashes the same, so the upsert stores
 * it once and answers `unchanged`; a repeated msg_id inside one push is dropped before intake. An
 * older message arriving after a newer one is ignored through its event time (updatedAt).
 */
export function douyinSource(creds: DouyinCredentials): OrderSource {
  return {
    name: 'douyin',
    help: { signatureHeader: 'event-sign', secretEnv: 'DOUYIN_APP_KEY and DOUYIN_APP_SECRET' },
    verify(body, headers) {
      if (!creds.appKey || !creds.appSecret) return { ok: false, reason: 'not_configured' };
      return verifyPush(
        { appKey: creds.appKey, appSecret: creds.appSecret },
        body,
        header(headers, 'event-sign'),
        header(headers, 'app-id'),
        header(headers, 'sign-method'),
      );
    },
    parse(_payload, ctx) {
      // Re-read the body: p_id / msg_id may be 19-digit JSON numbers that JSON.parse would round.
      const payload = parseJsonLossless(ctx.body.toString('utf8'));
      const list = Array.isArray(payload) ? payload : [payload];
      if (list.length === 0) return { ok: false, errors: [{ field: '(body)', message: 'the push holds no message' }] };
      const orders: IncomingOrder[] = [];
      const errors: ItemError[] = [];
      const seen = new Set<string>();
      list.forEach((raw, index) => {
        const m = readMessage(raw);
        if ('errors' in m) return errors.push(...m.errors.map((e) => ({ index, ...e })));
        if (m.msg.msgId && seen.has(m.msg.msgId)) return;
        seen.add(m.msg.msgId);
        const r = mapDouyinPush(m.msg, ctx.receivedAt);
        if (r.kind === 'error') errors.push(...r.errors.map((e) => ({ index, ...e })));
        // raw is the message exactly as pushed (data still a string), so a redelivery hashes the same.
        else if (r.kind === 'order') orders.push({ order: r.order, raw });
      });
      // All or nothing, as for generic: Douyin retries the whole push.
      return errors.length > 0 ? { ok: false, errors } : { ok: true, orders };
    },
    successBody: () => DOUYIN_SUCCESS,
  };
}

function readMessage(raw: unknown): { msg: DouyinMessage } | { errors: ItemError[] } {
  if (!isObj(raw)) return { errors: [{ field: '(message)', message: 'must be an object {tag, msg_id, data}' }] };
  const tag = str(raw.tag);
  const msgId = str(raw.msg_id);
  const errors: ItemError[] = [];
  if (!tag) errors.push({ field: 'tag', message: 'is required' });
  // The verification push sent when the URL is saved (tag "0") is answered whatever it holds.
  if (tag === '0') return { msg: { tag, msgId: msgId ?? '', data: {} } };
  if (!msgId) errors.push({ field: 'msg_id', message: 'is required' });
  const data: Json = jsonObjectField(raw.data, 'data', errors, 'is required (a JSON string)');
  return errors.length > 0 ? { errors } : { msg: { tag: tag!, msgId: msgId!, data } };
}
