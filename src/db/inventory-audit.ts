import type { Queryable } from './pool';

/**
 * Audit rows of the inventory feature, in the shared audit_log. Entities beyond the core ones
 * (price_change, sku_import, low_stock, listing) carry their numeric id; a SKU code goes in details.
 */
export interface InventoryAuditEntry {
  actor: string;
  source: string;
  entity: 'order' | 'price_change' | 'sku_import' | 'low_stock' | 'consistency_report';
  entityId: number;
  action: string;
  before?: unknown;
  after?: unknown;
  details?: unknown;
}

export async function insertInventoryAudit(db: Queryable, e: InventoryAuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor, source, entity, entity_id, action, before, after, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [e.actor, e.source, e.entity, e.entityId, e.action, json(e.before), json(e.after), json(e.details)],
  );
}

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
