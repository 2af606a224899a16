import type { OrderStatus } from '../../../domain/orders/order';
import type { ItemError } from '../source';
import { isoOrUndefined } from '../common/china-time';
import { subtractYuan, toYuan } from '../../../domain/money';
import { arr, compact, int, obj, str, type Json, type MapResult, type PlatformOrder } from '../common/platform-order';

const tagList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : (str(v) ?? '').split(',')).map((t) => t.trim()).filter(Boolean);

/**
 * A `refunds/create` body (a Refund: `order_id`, `created_at` …) → a thin order that only records
 * the refund on the stored order: Shopify has no refund request, so a refund is always done.
 */
export function mapShopifyRefund(r: Json, shop: string | undefined, receivedAt: string): MapResult {
  const orderId = str(r.order_id);
  if (!orderId || !/^\d+$/.test(orderId)) return { ok: false, errors: [{ field: 'order_id', message: 'is required (the numeric order id)' }] };
  const at = isoOrUndefined(r.created_at) ?? isoOrUndefined(r.processed_at);
  return {
    ok: true,
    order: compact({
      source: 'shopify', externalId: orderId, channel: 'shopify', shop, createdAt: at ?? receivedAt, status: 'created' as const,
      buyer: {}, address: {}, items: [], total: '0.00', currency: str(obj(arr(r.transactions)[0]).currency) ?? 'USD', presale: false,
      logistics: { intercepted: false }, platformStatus: 'refunds/create', flags: ['refund_created'], partial: true,
      refund: compact({ status: 'refunded' as const, at }),
    }),
  };
}

/** `gid://shopify/Order/820982911946154508` → `820982911946154508`. */
export const gidTail = (v: unknown): string | undefined => str(v)?.match(/\/(\d+)$/)?.[1];

/**
 * A Shopify order in the REST/webhook shape (§6.3) → the internal order. `id` must already be a
 * string when it exceeds 2^53 (parse the body with parseJsonLossless); admin_graphql_api_id is the
 * fallback. Amounts are decimal strings in the shop currency.
 */
export function mapShopifyOrder(o: Json, shop?: string): MapResult {
  const errors: ItemError[] = [];
  const id = str(o.id) ?? gidTail(o.admin_graphql_api_id);
  if (!id || !/^\d+$/.test(id)) errors.push({ field: 'id', message: 'is required (the numeric order id)' });
  const createdAt = isoOrUndefined(o.created_at);
  if (!createdAt) errors.push({ field: 'created_at', message: 'must be ISO 8601 with an offset' });
  const total = toYuan(o.current_total_price ?? o.total_price);
  if (total === null) errors.push({ field: 'total_price', message: 'must be a decimal amount' });
  const currency = str(o.currency);
  if (!currency || !/^[A-Z]{3}$/.test(currency)) errors.push({ field: 'currency', message: 'must be an ISO 4217 code' });

  const items = arr(o.line_items).map((raw, i) => {
    const l = obj(raw);
    const qty = int(l.quantity) ?? 0;
    if (qty <= 0) errors.push({ field: `line_items.${i}.quantity`, message: 'must be a positive whole number' });
    const sku = str(l.sku) ?? (str(l.variant_id) ? `variant:${str(l.variant_id)}` : `line:${str(l.id) ?? i}`);
    return compact({ sku, qty, price: toYuan(l.price) ?? undefined, name: str(l.title) ?? str(l.name) });
  });
  if (errors.length > 0 || !id || !createdAt || total === null || !currency) return { ok: false, errors };

  const fin = str(o.financial_status)?.toLowerCase();
  const ful = str(o.fulfillment_status)?.toLowerCase() ?? 'unfulfilled';
  const cancelled = isoOrUndefined(o.cancelled_at) !== undefined;
  const status: OrderStatus =
    fin === 'refunded' ? 'refunded'
    : cancelled ? 'cancelled'
    : fin === 'pending' || fin === 'authorized' ? 'pending_payment'
    : fin === 'partially_paid' ? 'partially_paid'
    : fin === 'voided' || fin === 'expired' ? 'payment_failed'
    : 'paid';
  const outstanding = toYuan(o.total_outstanding);
  const paid =
    status === 'paid' || status === 'refunded' ? (outstanding ? subtractYuan(total, outstanding) : total)
    : status === 'partially_paid' && outstanding ? subtractYuan(total, outstanding)
    : undefined;

  const a = obj(o.shipping_address);
  const c = obj(o.customer);
  const fulfillments = arr(o.fulfillments).map(obj);
  const lastShipment = fulfillments.at(-1);
  const tags = Array.isArray(o.tags) ? o.tags.map(String).join(', ') : str(o.tags);
  // Shopify has no VIP field: a customer tagged "VIP" by the seller counts as one (a convention, documented).
  const vip = tagList(c.tags).some((t) => t.toLowerCase() === 'vip') || undefined;
  const name = str(a.name) ?? ([str(a.first_name), str(a.last_name)].filter(Boolean).join(' ') || undefined);
  const order: PlatformOrder = compact({
    source: 'shopify',
    externalId: id,
    channel: 'shopify',
    shop,
    createdAt,
    updatedAt: isoOrUndefined(o.updated_at),
    status,
    stage: ful === 'fulfilled' || ful === 'partial' ? ('shipped' as const) : undefined,
    buyer: compact({
      name: name ?? ([str(c.first_name), str(c.last_name)].filter(Boolean).join(' ') || undefined),
      phone: str(a.phone) ?? str(o.phone) ?? str(c.phone),
      vip,
    }),
    address: compact({
      province: str(a.province),
      city: str(a.city),
      detail: [str(a.address1), str(a.address2)].filter(Boolean).join(' ') || undefined,
    }),
    items,
    total,
    paid,
    currency,
    remark: str(o.note),
    sellerRemark: tags,
    presale: false,
    logistics: compact({
      intercepted: false,
      carrier: str(lastShipment?.tracking_company),
      trackingNo: str(lastShipment?.tracking_number),
    }),
    platformStatus: [fin ?? 'unknown', ful, cancelled ? 'cancelled' : undefined].filter(Boolean).join('/'),
    flags: [fin === 'partially_refunded' ? 'partially_refunded' : undefined, ful === 'partial' ? 'partially_shipped' : undefined].filter(
      (f): f is string => f !== undefined,
    ),
    shippedAt: isoOrUndefined(lastShipment?.created_at),
    // FulfillmentOrder.fulfillBy, where the order came through the GraphQL pull (webhooks do not carry it).
    shipBy: isoOrUndefined(o.fulfill_by),
    refund: fin === 'refunded' || fin === 'partially_refunded' ? { status: 'refunded' as const } : undefined,
    finishedAt: isoOrUndefined(o.closed_at),
  });
  return { ok: true, order };
}
