import type { IncomingOrder } from './order-writes';
import type { Queryable } from './pool';

/**
 * A refund message (Taobao TMC taobao_refund_*, Pinduoduo pdd_refund_*, Douyin 200/201/206,
 * Shopify refunds/create) names the order and its refund's new state but no order status, so the
 * upsert's rule (an older status never wins) keeps it from touching a stored order. This records the
 * refund on the stored order anyway — never an older refund event over a newer one — and bumps the
 * revision so processing (and the signals step) runs again. Returns the orders it changed.
 */
export async function applyRefundSignals(db: Queryable, items: IncomingOrder[]): Promise<{ source: string; externalId: string; id: number; revision: number }[]> {
  const rows = items.filter((i) => i.order.refund).map((i) => ({ source: i.order.source, external_id: i.order.externalId, refund: i.order.refund }));
  if (rows.length === 0) return [];
  const { rows: changed } = await db.query<{ id: number; revision: number; source: string; external_id: string }>(
    `UPDATE orders o SET data = o.data || jsonb_build_object('refund', t.refund), revision = o.revision + 1, updated_at = now()
     FROM jsonb_to_recordset($1::jsonb) AS t(source text, external_id text, refund jsonb)
     WHERE o.source = t.source AND o.external_id = t.external_id
       AND (o.data->'refund') IS DISTINCT FROM t.refund
       AND (orderops_iso_time(t.refund->>'at') IS NULL OR orderops_iso_time(o.data->'refund'->>'at') IS NULL
            OR orderops_iso_time(t.refund->>'at') >= orderops_iso_time(o.data->'refund'->>'at'))
     RETURNING o.id, o.revision, o.source, o.external_id`,
    [JSON.stringify(rows)],
  );
  return changed.map((r) => ({ id: r.id, revision: r.revision, source: r.source, externalId: r.external_id }));
}
