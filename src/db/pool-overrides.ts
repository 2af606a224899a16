import type { PoolOverride } from '../domain/inventory/pool-overrides';
import type { Queryable } from './pool';

/** The pool overrides of these SKUs (all of them when `skus` is omitted), by SKU. */
export async function loadPoolOverrides(db: Queryable, skus?: string[]): Promise<Map<string, PoolOverride[]>> {
  const { rows } = await db.query<{ sku: string; channel: string; reserve: number }>(
    `SELECT sku, channel, reserve FROM sku_pool_overrides WHERE $1::text[] IS NULL OR sku = ANY($1::text[]) ORDER BY sku, set_at, channel`,
    [skus ?? null],
  );
  const out = new Map<string, PoolOverride[]>();
  for (const r of rows) {
    const list = out.get(r.sku) ?? [];
    list.push({ channel: r.channel, reserve: r.reserve });
    out.set(r.sku, list);
  }
  return out;
}

/** Set (or, with reserve null, clear) a SKU's reserve for a channel. Returns the previous reserve. */
export async function setPoolOverride(
  db: Queryable, o: { sku: string; channel: string; reserve: number | null; by: string; via: string; now: Date },
): Promise<number | null> {
  const prev = await db.query<{ reserve: number }>('SELECT reserve FROM sku_pool_overrides WHERE sku = $1 AND channel = $2 FOR UPDATE', [o.sku, o.channel]);
  if (o.reserve === null) await db.query('DELETE FROM sku_pool_overrides WHERE sku = $1 AND channel = $2', [o.sku, o.channel]);
  else {
    await db.query(
      `INSERT INTO sku_pool_overrides (sku, channel, reserve, set_by, set_via, set_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (sku, channel) DO UPDATE SET reserve = EXCLUDED.reserve, set_by = EXCLUDED.set_by, set_via = EXCLUDED.set_via, set_at = EXCLUDED.set_at`,
      [o.sku, o.channel, o.reserve, o.by, o.via, o.now],
    );
  }
  return prev.rows[0]?.reserve ?? null;
}
