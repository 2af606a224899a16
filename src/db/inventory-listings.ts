import type { ListingInput } from '../domain/inventory/listing-row';
import type { Queryable } from './pool';

/**
 * Store what platforms show. A listing seen earlier than the one stored (a late or replayed push)
 * changes nothing; returns how many were stored or updated. Each (sku, platform, shop) is kept once
 * per call: the newest of repeated entries wins.
 */
export async function upsertListings(db: Queryable, listings: ListingInput[], source: string, now: Date): Promise<number> {
  const newest = new Map<string, ListingInput>();
  for (const l of listings) {
    const k = `${l.sku}\u0000${l.platform}\u0000${l.shop}`;
    const prev = newest.get(k);
    if (!prev || prev.seenAt <= l.seenAt) newest.set(k, l);
  }
  const rows = [...newest.values()].sort((a, b) => (a.sku + a.platform + a.shop < b.sku + b.platform + b.shop ? -1 : 1));
  const r = await db.query(
    `INSERT INTO platform_listings AS p (sku, platform, shop, stock, price, seen_at, source, updated_at, ref, merchant_code)
     SELECT sku, platform, shop, stock, price, seen_at, $2, $3, ref, merchant_code
     FROM jsonb_to_recordset($1::jsonb) AS t(sku text, platform text, shop text, stock int, price numeric, seen_at timestamptz, ref jsonb, merchant_code text)
     ON CONFLICT (sku, platform, shop) DO UPDATE SET
       stock = CASE WHEN EXCLUDED.stock IS NULL THEN p.stock ELSE EXCLUDED.stock END,
       price = CASE WHEN EXCLUDED.price IS NULL THEN p.price ELSE EXCLUDED.price END,
       ref = coalesce(EXCLUDED.ref, p.ref), merchant_code = coalesce(EXCLUDED.merchant_code, p.merchant_code),
       seen_at = EXCLUDED.seen_at, source = EXCLUDED.source, updated_at = EXCLUDED.updated_at
     WHERE p.seen_at <= EXCLUDED.seen_at`,
    [JSON.stringify(rows.map((l) => ({
      sku: l.sku, platform: l.platform, shop: l.shop, stock: l.stock, price: l.price, seen_at: l.seenAt, ref: l.ref ?? null, merchant_code: l.merchantCode ?? null,
    }))), source, now],
  );
  return r.rowCount ?? 0;
}
