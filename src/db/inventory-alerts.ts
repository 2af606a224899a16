import { diffLowStock, type OpenLowStock, type StockReading } from '../domain/inventory/low-stock';
import { lowStockCardKey, type LowStockCard } from '../domain/inventory/cards';
import type { StaffRef } from '../domain/cards/exception-card';
import { insertInventoryAudit } from './inventory-audit';
import type { Queryable } from './pool';

export interface CardKeyRef {
  key: string;
  version: number;
}

export interface LowStockOptions {
  team: string;
  defaultThreshold: number;
  now: Date;
  /** Open new alerts (order processing) or only update and clear existing ones (bulk imports). */
  mayOpen: boolean;
  actor: string;
  via: string;
}

/**
 * Bring the low-stock alerts of these SKUs in line with their stock. Call it in the transaction that
 * changed the stock, with the SKU rows locked; returns the cards to re-render after commit.
 */
export async function syncLowStock(tx: Queryable, readings: StockReading[], o: LowStockOptions): Promise<CardKeyRef[]> {
  if (readings.length === 0) return [];
  const { rows: open } = await tx.query<OpenLowStock>(
    `SELECT id, sku, available, threshold FROM low_stock_alerts WHERE status = 'open' AND sku = ANY($1::text[]) ORDER BY id FOR UPDATE`,
    [readings.map((r) => r.sku)],
  );
  const cards: CardKeyRef[] = [];
  for (const c of diffLowStock(readings, open, o.defaultThreshold, o.mayOpen)) {
    if (c.kind === 'open') {
      const { rows } = await tx.query<{ id: number; version: number }>(
        `INSERT INTO low_stock_alerts (sku, team, available, lowest, threshold, opened_at, updated_at)
         VALUES ($1, $2, $3, $3, $4, $5, $5)
         ON CONFLICT (sku) WHERE status = 'open' DO NOTHING RETURNING id, version`,
        [c.sku, o.team, c.available, c.threshold, o.now],
      );
      if (!rows[0]) continue;
      cards.push({ key: lowStockCardKey(rows[0].id), version: rows[0].version });
      await insertInventoryAudit(tx, { actor: o.actor, source: o.via, entity: 'low_stock', entityId: rows[0].id, action: 'low_stock.opened', details: { sku: c.sku, available: c.available, threshold: c.threshold } });
    } else if (c.kind === 'update') {
      const { rows } = await tx.query<{ id: number; version: number }>(
        `UPDATE low_stock_alerts SET available = $2, lowest = least(lowest, $2), threshold = $3, version = version + 1, updated_at = $4
         WHERE id = $1 RETURNING id, version`,
        [c.alertId, c.available, c.threshold, o.now],
      );
      if (rows[0]) cards.push({ key: lowStockCardKey(rows[0].id), version: rows[0].version });
    } else {
      const { rows } = await tx.query<{ id: number; version: number }>(
        `UPDATE low_stock_alerts SET status = 'cleared', available = $2, cleared_at = $3, updated_at = $3, version = version + 1
         WHERE id = $1 RETURNING id, version`,
        [c.alertId, c.available, o.now],
      );
      if (!rows[0]) continue;
      cards.push({ key: lowStockCardKey(rows[0].id), version: rows[0].version });
      await insertInventoryAudit(tx, { actor: o.actor, source: o.via, entity: 'low_stock', entityId: c.alertId, action: 'low_stock.cleared', details: { sku: c.sku, available: c.available } });
    }
  }
  return cards;
}

const STAFF_REF = `json_build_object('id', st.id, 'name', st.name, 'slackUserId', st.slack_user_id, 'feishuOpenId', st.feishu_open_id)`;

export async function loadLowStockCard(db: Queryable, alertId: number): Promise<{ card: LowStockCard; team: string } | null> {
  const { rows } = await db.query<{
    id: number; sku: string; team: string; status: 'open' | 'cleared'; available: number; lowest: number; threshold: number; version: number;
    opened_at: Date; cleared_at: Date | null; name: string | null; stock: number | null; reserved: number | null; owner: string | null; owner_ref: StaffRef | null;
  }>(
    `SELECT a.*, s.name, s.stock, s.reserved, s.owner, CASE WHEN st.id IS NULL THEN NULL ELSE ${STAFF_REF} END AS owner_ref
     FROM low_stock_alerts a LEFT JOIN skus s ON s.sku = a.sku LEFT JOIN staff st ON st.id = s.owner AND st.active
     WHERE a.id = $1`,
    [alertId],
  );
  const a = rows[0];
  if (!a) return null;
  return {
    team: a.team,
    card: {
      kind: 'lowstock', key: lowStockCardKey(a.id), alertId: a.id, version: a.version, status: a.status, sku: a.sku,
      name: a.name ? a.name.slice(0, 200) : null, available: a.available, lowest: a.lowest, threshold: a.threshold,
      stock: a.stock ?? 0, reserved: a.reserved ?? 0, owner: a.owner_ref, ownerId: a.owner_ref ? null : a.owner,
      openedAt: a.opened_at.toISOString(), clearedAt: a.cleared_at?.toISOString() ?? null,
    },
  };
}
