import type { OrderFacts } from '../domain/orders/effective';
import type { Queryable } from './pool';

export interface OrderChangeRow extends OrderFacts {
  id: number;
  xid: string;
  orderId: number;
  events: string[];
  at: Date;
  source: string;
  external_id: string;
}

const COLUMNS = `c.id, c.xid::text AS xid, c.order_id AS "orderId", c.events, c.at, o.source, o.external_id,
  o.status, o.stage, o.review_status, o.priority, o.address_override, o.data`;

/**
 * Changes after a cursor (or since an instant), oldest first, only from transactions that finished
 * before every one still running (xid < xmin): a transaction committing later sorts after the
 * cursor, so polling with the returned cursor never misses a change.
 */
export async function changesAfter(
  db: Queryable, o: { since: Date | null; after: { xid: string; id: number } | null; limit: number },
): Promise<OrderChangeRow[]> {
  const { rows } = await db.query<OrderChangeRow>(
    `SELECT ${COLUMNS}
     FROM order_changes c JOIN orders o ON o.id = c.order_id
     WHERE c.xid < pg_snapshot_xmin(pg_current_snapshot())
       AND ($1::timestamptz IS NULL OR c.at >= $1)
       AND ($2::xid8 IS NULL OR (c.xid, c.id) > ($2::xid8, $3::bigint))
     ORDER BY c.xid, c.id LIMIT $4`,
    [o.since, o.after?.xid ?? null, o.after?.id ?? 0, o.limit],
  );
  return rows;
}

const LEASE_MS = 60_000;

/** Shipping-relevant changes waiting for the webhook (or whose lease ran out). */
export async function pendingWebhookChanges(db: Queryable, now: Date, limit: number): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `SELECT id FROM order_changes WHERE (webhook_status = 'pending') OR (webhook_status = 'sending' AND lease_until < $1) ORDER BY id LIMIT $2`,
    [now, limit],
  );
  return rows.map((r) => r.id);
}

/** With no order webhook configured, shipping changes are marked skipped (the list API still has them). */
export async function skipWebhookChanges(db: Queryable, limit: number): Promise<number> {
  const r = await db.query(
    `UPDATE order_changes SET webhook_status = 'skipped' WHERE id IN (SELECT id FROM order_changes WHERE webhook_status = 'pending' ORDER BY id LIMIT $1)`,
    [limit],
  );
  return r.rowCount ?? 0;
}

export async function claimWebhookChange(db: Queryable, id: number, now: Date): Promise<(OrderChangeRow & { attempts: number }) | null> {
  const { rows } = await db.query<OrderChangeRow & { attempts: number }>(
    `WITH c AS (
       UPDATE order_changes SET webhook_status = 'sending', attempts = attempts + 1, lease_until = $2::timestamptz + make_interval(secs => $3 / 1000.0)
       WHERE id = $1 AND (webhook_status IN ('pending', 'failed') OR (webhook_status = 'sending' AND lease_until < $2))
       RETURNING *
     )
     SELECT ${COLUMNS}, c.attempts FROM c JOIN orders o ON o.id = c.order_id`,
    [id, now, LEASE_MS],
  );
  return rows[0] ?? null;
}

export async function webhookChangeDone(db: Queryable, id: number, e: { ok: true } | { ok: false; message: string; final: boolean }, now: Date): Promise<void> {
  await db.query(
    `UPDATE order_changes SET webhook_status = $2, last_error = $3, lease_until = NULL, sent_at = CASE WHEN $2 = 'sent' THEN $4 ELSE sent_at END WHERE id = $1`,
    [id, e.ok ? 'sent' : e.final ? 'failed' : 'pending', e.ok ? null : e.message.slice(0, 500), now],
  );
}
