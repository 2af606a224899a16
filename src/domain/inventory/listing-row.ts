import { normalizeMoney } from '../money';
import type { ListingRef } from '../shop/shop-port';
import type { FieldError } from './sku-row';

/** What one platform/shop shows for a SKU at one moment. */
export interface ListingInput {
  sku: string;
  platform: string;
  shop: string;
  stock: number | null;
  price: string | null;
  seenAt: string;
  /** The platform's own ids to push with (a listing pull stores them; the webhook leaves them). */
  ref?: ListingRef | null;
  merchantCode?: string | null;
}

const FIELDS = ['sku', 'platform', 'shop', 'stock', 'price', 'seen_at'];
const PLATFORM = /^[a-z][a-z0-9_-]{0,31}$/;
const OFFSET_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * One listing of the generic listings webhook: `{sku, platform, shop?, stock?, price?, seen_at?}`,
 * with at least one of stock and price. `seen_at` (ISO 8601 with offset) defaults to `receivedAt`.
 */
export function validateListing(raw: unknown, receivedAt: string): { ok: true; value: ListingInput } | { ok: false; errors: FieldError[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ field: '(listing)', message: 'must be an object {sku, platform, shop?, stock?, price?, seen_at?}' }] };
  }
  const r = raw as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const k of Object.keys(r)) if (!FIELDS.includes(k)) errors.push({ field: k, message: `unknown field; use ${FIELDS.join(', ')}` });
  const sku = typeof r.sku === 'string' ? r.sku.trim() : '';
  if (!sku || sku.length > 100) errors.push({ field: 'sku', message: 'required: the SKU code as in the master record (1–100 characters)' });
  const platform = typeof r.platform === 'string' ? r.platform.trim().toLowerCase() : '';
  if (!PLATFORM.test(platform)) errors.push({ field: 'platform', message: 'required: the platform as orders name their channel (douyin, taobao, jd, pinduoduo, …)' });
  let shop = '';
  if (r.shop !== undefined && r.shop !== null) {
    if (typeof r.shop !== 'string' || r.shop.length > 100) errors.push({ field: 'shop', message: 'must be text of at most 100 characters' });
    else shop = r.shop.trim();
  }
  let stock: number | null = null;
  if (r.stock !== undefined && r.stock !== null) {
    if (typeof r.stock !== 'number' || !Number.isSafeInteger(r.stock) || r.stock < 0 || r.stock > 1_000_000_000) {
      errors.push({ field: 'stock', message: 'must be a whole number ≥ 0' });
    } else stock = r.stock;
  }
  let price: string | null = null;
  if (r.price !== undefined && r.price !== null) {
    price = typeof r.price === 'string' || typeof r.price === 'number' ? normalizeMoney(r.price) : null;
    if (price === null) errors.push({ field: 'price', message: 'must be an amount like 599.00' });
  }
  if ((r.stock === undefined || r.stock === null) && (r.price === undefined || r.price === null)) {
    errors.push({ field: 'stock', message: 'send stock, price or both' });
  }
  let seenAt = receivedAt;
  if (r.seen_at !== undefined) {
    if (typeof r.seen_at !== 'string' || !OFFSET_TIME.test(r.seen_at) || Number.isNaN(Date.parse(r.seen_at))) {
      errors.push({ field: 'seen_at', message: 'must be ISO 8601 with an offset, e.g. 2026-01-08T20:01:02+08:00' });
    } else seenAt = new Date(r.seen_at).toISOString();
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { sku, platform, shop, stock, price, seenAt } };
}
