import type { Queryable } from './pool';

export interface AuditEntry {
  /** `staff:<id>`, `system` or `source:<platform>`. */
  actor: string;
  /** Where the action came from: slack, feishu, local, api, worker, cli, webhook. */
  source: string;
  entity: 'order' | 'exception' | 'sku' | 'staff' | 'backlog' | 'price_change' | 'sku_import' | 'low_stock' | 'consistency_report' | 'reconcile_run' | 'silence';
  entityId: number;
  action: string;
  before?: unknown;
  after?: unknown;
  details?: unknown;
}

export async function insertAudit(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor, source, entity, entity_id, action, before, after, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [e.actor, e.source, e.entity, e.entityId, e.action, json(e.before), json(e.after), json(e.details)],
  );
}

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
