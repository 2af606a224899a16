import { insertAudit, type AuditEntry } from './audit';
import type { Queryable } from './pool';

/**
 * Audit rows of the inventory feature, in the shared audit_log. Entities beyond the core ones
 * (price_change, sku_import, low_stock, consistency_report) carry their numeric id; a SKU code goes
 * in details.
 */
export type InventoryAuditEntry = AuditEntry & { entity: 'order' | 'price_change' | 'sku_import' | 'low_stock' | 'consistency_report' };

export function insertInventoryAudit(db: Queryable, e: InventoryAuditEntry): Promise<void> {
  return insertAudit(db, e);
}
