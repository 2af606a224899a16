import type { OrderSource } from '../source';
import { header } from '../common/headers';
import { parseJsonLossless } from '../common/lossless-json';
import { isObj } from '../common/platform-order';
import { mapShopifyOrder, mapShopifyRefund } from './order-map';
import { verifyShopifyHmac } from './sign';

/** Topics whose body is an order resource; refunds/create records a refund; other topics (orders/delete …) are acknowledged and skipped. */
const ORDER_TOPICS = new Set([
  'orders/create',
  'orders/updated',
  'orders/paid',
  'orders/cancelled',
  'orders/fulfilled',
  'orders/partially_fulfilled',
  'orders/edited',
]);

/**
 * `POST /webhooks/orders/shopify`: Shopify order webhooks, `X-Shopify-Hmac-Sha256` over the raw
 * bytes. The order id is read from the raw text (lossless parse), never from a float.
 *
 * Duplicates: a redelivery with the same `X-Shopify-Webhook-Id` carries the original payload, which
 * hashes the same and is stored once (`unchanged`); an older retry arriving after a newer update is
 * ignored through `updated_at`. Shopify wants a 2xx within 5 s; the group commit answers in ms.
 */
export function shopifySource(webhookSecret: string | undefined): OrderSource {
  return {
    name: 'shopify',
    help: { signatureHeader: 'X-Shopify-Hmac-Sha256', secretEnv: 'SHOPIFY_WEBHOOK_SECRET' },
    verify(body, headers) {
      if (!webhookSecret) return { ok: false, reason: 'not_configured' };
      return verifyShopifyHmac([webhookSecret], body, header(headers, 'x-shopify-hmac-sha256'));
    },
    parse(_payload, ctx) {
      const topic = header(ctx.headers, 'x-shopify-topic');
      if (topic !== undefined && !ORDER_TOPICS.has(topic) && topic !== 'refunds/create') return { ok: true, orders: [] };
      const payload = parseJsonLossless(ctx.body.toString('utf8'));
      if (!isObj(payload)) return { ok: false, errors: [{ field: '(body)', message: 'must be an order object' }] };
      const shop = header(ctx.headers, 'x-shopify-shop-domain');
      const r = topic === 'refunds/create' ? mapShopifyRefund(payload, shop, ctx.receivedAt) : mapShopifyOrder(payload, shop);
      return r.ok ? { ok: true, orders: [{ order: r.order, raw: payload }] } : { ok: false, errors: r.errors };
    },
  };
}
