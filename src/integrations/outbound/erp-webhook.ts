import { createHmac } from 'node:crypto';
import type { ErrorRule, OutboundPort, PushTarget, ShopPort } from '../../domain/shop/shop-port';
import { requestJson, type HttpOptions } from '../platforms/common/http-client';
import { pushCall } from '../platforms/common/push-errors';

/** The seller's endpoint: 429 waits, 5xx and network errors are retried, any other 4xx is a refusal. */
export const WEBHOOK_PUSH_ERRORS: readonly ErrorRule[] = [{ code: /^http_4\d\d$/, kind: 'permanent' }];

export interface ErpWebhookOptions extends HttpOptions {
  url: string;
  secret: string;
  now?: () => Date;
}

/**
 * `X-Orderops-Signature: sha256=<hex HMAC-SHA256 of the raw body>` — the same scheme as the generic
 * order webhook, so a seller verifies both directions with one function.
 */
export function signOutbound(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * POST one signed event. `id` is stable across retries (the receiver dedupes on it, also sent as
 * `Idempotency-Key`); `occurred_at` is when orderops decided, `sent_at` when this attempt left.
 */
export async function postOutbound(opts: ErpWebhookOptions, event: { id: string; type: string; occurred_at?: string; [k: string]: unknown }): Promise<void> {
  const body = JSON.stringify({ ...event, sent_at: (opts.now ?? (() => new Date()))().toISOString() });
  await requestJson('webhook', opts.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-orderops-signature': signOutbound(opts.secret, body),
      'x-orderops-event': event.type,
      'idempotency-key': event.id,
    },
    body,
  }, { ...opts, timeoutMs: opts.timeoutMs ?? 10_000 }).catch((e: unknown) => {
    // An empty 2xx body is fine: the receiver need not answer JSON.
    if ((e as { code?: string }).code === 'bad_json') return;
    throw e;
  });
}

/**
 * The seller's own mini-program / ERP as a shop: an approved price and each sellable-stock figure
 * (for its channel, pools applied) arrive as signed events `price.set` / `stock.set`.
 */
export function erpWebhookPort(opts: ErpWebhookOptions, channel: string): ShopPort {
  return {
    platform: 'webhook',
    async setPrice(t: PushTarget, price: string) {
      await pushCall(WEBHOOK_PUSH_ERRORS, () => postOutbound(opts, { id: t.pushKey, type: 'price.set', sku: t.sku, price }));
    },
    async setStock(t: PushTarget, quantity: number) {
      await pushCall(WEBHOOK_PUSH_ERRORS, () => postOutbound(opts, { id: t.pushKey, type: 'stock.set', sku: t.sku, channel, quantity }));
    },
  };
}

/** Order changes to the same endpoint, with the same signature and error table. */
export function erpOrderPort(opts: ErpWebhookOptions): OutboundPort {
  return { send: (event) => pushCall(WEBHOOK_PUSH_ERRORS, () => postOutbound(opts, event)) };
}
