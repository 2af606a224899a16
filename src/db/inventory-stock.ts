import type { SkuStock, Take } from '../domain/inventory/pools';
import type { Queryable } from './pool';

export interface LockedSku {
  sku: string;
  stock: SkuStock;
  threshold: number | null;
}

/**
 * Lock the master rows of these SKUs (in SKU order, so two transactions never wait on each other
 * crosswise) and read their stock with each pool's usage. Unknown SKUs are absent from the map.
 */
export async function lockSkus(tx: Queryable, skus: string[]): Promise<Map<string, LockedSku>> {
  const out = new Map<string, LockedSku>();
  if (skus.length === 0) return out;
  const { rows } = await tx.query<{ sku: string; stock: number; reserved: number; low_stock_threshold: number | null }>(
    'SELECT sku, stock, reserved, low_stock_threshold FROM skus WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE',
    [skus],
  );
  for (const r of rows) out.set(r.sku, { sku: r.sku, stock: { stock: r.stock, reserved: r.reserved, held: {} }, threshold: r.low_stock_threshold });
  if (rows.length > 0) {
    const usage = await tx.query<{ sku: string; pool: string; held: number }>(
      'SELECT sku, pool, held FROM sku_pool_usage WHERE sku = ANY($1::text[])',
      [rows.map((r) => r.sku)],
    );
    for (const u of usage.rows) out.get(u.sku)!.stock.held[u.pool] = u.held;
  }
  return out;
}

export interface HeldReservation {
  id: number;
  sku: string;
  qty: number;
  pool: string | null;
  fromPool: number;
}

export async function heldReservations(tx: Queryable, orderId: number): Promise<HeldReservation[]> {
  const { rows } = await tx.query<HeldReservation>(
    `SELECT id, sku, qty, pool, from_pool AS "fromPool" FROM stock_reservations WHERE order_id = $1 AND status = 'held' ORDER BY sku`,
    [orderId],
  );
  return rows;
}

/** Move the counters: +1 when taking, −1 when releasing. Callers hold the SKU row's lock. */
export async function moveCounters(tx: Queryable, t: Pick<Take, 'sku' | 'qty' | 'pool' | 'fromPool'>, sign: 1 | -1): Promise<void> {
  await tx.query('UPDATE skus SET reserved = greatest(reserved + $2, 0) WHERE sku = $1', [t.sku, sign * t.qty]);
  if (t.pool && t.fromPool > 0) {
    await tx.query(
      `INSERT INTO sku_pool_usage (sku, pool, held) VALUES ($1, $2, greatest($3, 0))
       ON CONFLICT (sku, pool) DO UPDATE SET held = greatest(sku_pool_usage.held + $3, 0)`,
      [t.sku, t.pool, sign * t.fromPool],
    );
  }
}

export async function insertReservation(tx: Queryable, r: { orderId: number; channel: string; revision: number; now: Date } & Take): Promise<void> {
  await tx.query(
    `INSERT INTO stock_reservations (order_id, sku, channel, pool, qty, from_pool, from_shared, revision, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [r.orderId, r.sku, r.channel, r.pool, r.qty, r.fromPool, r.fromShared, r.revision, r.now],
  );
}

export async function markReleased(tx: Queryable, ids: number[], reason: string, now: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(
    `UPDATE stock_reservations SET status = 'released', released_at = $2, release_reason = $3 WHERE id = ANY($1::bigint[]) AND status = 'held'`,
    [ids, now, reason],
  );
}

/** The order shipped: its reservations end as consumed (and, with `deduct`, its units leave `stock`). */
export async function markConsumed(tx: Queryable, held: Pick<HeldReservation, 'id' | 'sku' | 'qty'>[], deduct: boolean, now: Date): Promise<void> {
  if (held.length === 0) return;
  if (deduct) {
    for (const h of held) await tx.query('UPDATE skus SET stock = greatest(stock - $2, 0) WHERE sku = $1', [h.sku, h.qty]);
  }
  await tx.query(
    `UPDATE stock_reservations SET status = 'consumed', released_at = $2, release_reason = 'order shipped' WHERE id = ANY($1::bigint[]) AND status = 'held'`,
    [held.map((h) => h.id), now],
  );
}
