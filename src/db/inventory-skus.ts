import type { SkuInput } from '../domain/inventory/sku-row';
import type { StockReading } from '../domain/inventory/low-stock';
import type { Queryable } from './pool';

export interface UpsertResult {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Existing SKUs whose file price differs from the master: kept (prices change through approval). */
  priceKept: { sku: string; master: string; given: string }[];
  /** SKUs now holding fewer units than their orders reserved (an oversell to look at). */
  oversold: { sku: string; stock: number; reserved: number }[];
  readings: StockReading[];
}

/**
 * Upsert master records (rows must have distinct SKUs). Stock is set as given; name, owner and the
 * threshold are set when given; a price is taken only for a new SKU or one without a price — a
 * changed price needs an approved price change. Rows are written in SKU order (the lock order
 * order processing uses too).
 */
export async function upsertSkus(tx: Queryable, rows: SkuInput[], now: Date): Promise<UpsertResult> {
  const sorted = [...rows].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  const input = JSON.stringify(sorted.map((r) => ({
    sku: r.sku, name: r.name ?? null, stock: r.stock, price: r.price ?? null, owner: r.owner ?? null, low_stock_threshold: r.lowStockThreshold ?? null,
  })));
  const before = await tx.query<{ sku: string; price: string | null }>(
    `SELECT s.sku, s.price FROM skus s JOIN jsonb_to_recordset($1::jsonb) AS t(sku text, price numeric) ON t.sku = s.sku
     WHERE t.price IS NOT NULL AND s.price IS NOT NULL AND s.price <> t.price`,
    [input],
  );
  const given = new Map(sorted.map((r) => [r.sku, r.price]));
  const { rows: out } = await tx.query<{ sku: string; inserted: boolean; stock: number; reserved: number; low_stock_threshold: number | null }>(
    `WITH t AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb)
         AS t(sku text, name text, stock int, price numeric, owner text, low_stock_threshold int)
     )
     INSERT INTO skus AS s (sku, name, stock, price, owner, low_stock_threshold, price_updated_at, created_at, updated_at)
     SELECT sku, name, stock, price, owner, low_stock_threshold, CASE WHEN price IS NOT NULL THEN $2::timestamptz END, $2, $2 FROM t ORDER BY sku
     ON CONFLICT (sku) DO UPDATE SET
       name = coalesce(EXCLUDED.name, s.name),
       stock = EXCLUDED.stock,
       owner = coalesce(EXCLUDED.owner, s.owner),
       low_stock_threshold = coalesce(EXCLUDED.low_stock_threshold, s.low_stock_threshold),
       price = coalesce(s.price, EXCLUDED.price),
       price_updated_at = CASE WHEN s.price IS NULL AND EXCLUDED.price IS NOT NULL THEN $2 ELSE s.price_updated_at END,
       updated_at = $2
     WHERE (s.name, s.stock, s.owner, s.low_stock_threshold, s.price) IS DISTINCT FROM
           (coalesce(EXCLUDED.name, s.name), EXCLUDED.stock, coalesce(EXCLUDED.owner, s.owner),
            coalesce(EXCLUDED.low_stock_threshold, s.low_stock_threshold), coalesce(s.price, EXCLUDED.price))
     RETURNING s.sku, (xmax = 0) AS inserted, s.stock, s.reserved, s.low_stock_threshold`,
    [input, now],
  );
  const inserted = out.filter((r) => r.inserted).length;
  return {
    inserted,
    updated: out.length - inserted,
    unchanged: rows.length - out.length,
    priceKept: before.rows.map((r) => ({ sku: r.sku, master: r.price!, given: given.get(r.sku) ?? '' })),
    oversold: out.filter((r) => r.reserved > r.stock).map((r) => ({ sku: r.sku, stock: r.stock, reserved: r.reserved })),
    readings: out.map((r) => ({ sku: r.sku, stock: r.stock, reserved: r.reserved, threshold: r.low_stock_threshold })),
  };
}

/** How many SKUs are under their low-stock threshold (for the import summary). */
export async function countBelowThreshold(db: Queryable, skus: string[], defaultThreshold: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM skus WHERE sku = ANY($1::text[]) AND greatest(stock - reserved, 0) < coalesce(low_stock_threshold, $2)`,
    [skus, defaultThreshold],
  );
  return rows[0]?.n ?? 0;
}
