import type pg from 'pg';
import type { Order } from '../../domain/orders/order';
import type { InventorySettings } from '../../domain/inventory/types';
import { demandOf } from '../../domain/inventory/pools';
import type { Notice } from '../../domain/ports';
import { heldReservations } from '../../db/inventory-stock';
import { RESERVING_STATUSES, reserveStock } from './reserve-stock';

/**
 * Releasing a stock-out order (resolving its stock_out exception) reserves its units from its pool
 * in the same transaction, so the warehouse never gets an order whose units were promised to
 * another; when they are still not there it refuses with what is missing, and nothing changes.
 * Returns null when the release may go on.
 */
export async function holdUnitsForRelease(tx: pg.PoolClient, inv: InventorySettings | undefined, orderId: number, now: Date): Promise<Notice | null> {
  if (!inv?.enabled) return null;
  const { rows } = await tx.query<{ data: Order; revision: number; stage: string }>('SELECT data, revision, stage FROM orders WHERE id = $1 FOR UPDATE', [orderId]);
  const row = rows[0];
  if (!row || !RESERVING_STATUSES.includes(row.data.status) || ['shipped', 'delivered'].includes(row.stage)) return null;
  const outcome = await reserveStock(tx, inv, { orderId, order: row.data, revision: row.revision, now });
  const held = await heldReservations(tx, orderId);
  const missing = demandOf(row.data.items).filter((d) => outcome.stock.has(d.sku) && !held.some((h) => h.sku === d.sku && h.qty === d.qty));
  if (missing.length === 0) return null;
  return {
    key: 'shop.notice.stock_still_out',
    vars: { lines: missing.map((d) => `${d.sku} ×${d.qty} (${Math.max(outcome.stock.get(d.sku) ?? 0, 0)})`).join(', ') },
  };
}
