import type { TrackingState } from '../domain/tracking';
import type { Clock } from '../domain/ports';
import { insertAudit } from '../db/audit';
import { withTransaction } from '../db/pool';
import { moveStage, type MoveStageDeps } from './move-stage';

/** One update about a parcel, from 快递100 or the generic tracking webhook. */
export interface TrackingUpdate {
  trackingNo: string;
  carrier?: string;
  /** Ties a generic event to an order that has no shipment yet. */
  order?: { source: string; externalId: string };
  state: TrackingState | null;
  /** The carrier's own code, kept as given. */
  code?: string;
  /** When the carrier recorded the latest step (event time). */
  at: Date | null;
  /** The first carrier scan, when the feed lists the whole history (快递100 lastResult.data). */
  firstScanAt?: Date | null;
  context?: string;
  /** The service stopped watching (快递100 abort: "3天查询无记录", "60天无变化"). */
  abort?: string;
}

export interface RecordTrackingDeps extends MoveStageDeps {
  clock: Clock;
  /** Re-judge the order's signals after commit (pickup, stalled, refused). */
  rejudge(orderId: number): Promise<void>;
}

const NOT_PICKED = new Set<TrackingState | null>(['awaiting_pickup', 'cancelled', null]);

/**
 * Record a tracking update on every order shipped with that number (or the named order, which
 * gets a shipment if it has none), newest event wins the state; a delivery moves the order to
 * delivered with the carrier's time, and the order's signals are judged again. Returns the orders touched.
 */
export async function recordTracking(deps: RecordTrackingDeps, u: TrackingUpdate, provider: 'kuaidi100' | 'generic'): Promise<number[]> {
  const touched = await withTransaction(deps.pool, async (tx) => {
    // Orders first, then their shipments — the order processing takes its locks in.
    await tx.query(
      `SELECT o.id FROM orders o WHERE (o.source = $1 AND o.external_id = $2)
         OR o.id IN (SELECT order_id FROM shipments WHERE tracking_no = $3) ORDER BY o.id FOR UPDATE OF o`,
      [u.order?.source ?? null, u.order?.externalId ?? null, u.trackingNo],
    );
    if (u.order) {
      await tx.query(
        `INSERT INTO shipments (order_id, tracking_no, carrier, provider, subscription)
         SELECT id, $3, $4, $5, 'none' FROM orders WHERE source = $1 AND external_id = $2
         ON CONFLICT (order_id) DO NOTHING`,
        [u.order.source, u.order.externalId, u.trackingNo, u.carrier ?? null, provider],
      );
    }
    const picked = NOT_PICKED.has(u.state) ? null : (u.firstScanAt ?? u.at);
    const event = { at: u.at?.toISOString() ?? null, state: u.state, code: u.code ?? null, context: u.context?.slice(0, 300) ?? null, via: provider };
    const { rows: touched } = await tx.query<{ order_id: number; delivered: boolean }>(
      `WITH target AS (
         SELECT s.order_id, (s.last_event_at IS NULL OR $4::timestamptz IS NULL OR $4::timestamptz >= s.last_event_at) AS newest
         FROM shipments s JOIN orders o ON o.id = s.order_id
         WHERE s.tracking_no = $1 AND ($10::text IS NULL OR (o.source = $10 AND o.external_id = $11))
         FOR UPDATE OF s
       )
       UPDATE shipments s SET
         provider = CASE WHEN s.provider = 'none' THEN $2 ELSE s.provider END,
         carrier = coalesce(s.carrier, $3),
         last_event_at = CASE WHEN t.newest THEN coalesce($4::timestamptz, s.last_event_at) ELSE s.last_event_at END,
         state = CASE WHEN t.newest AND $5::text IS NOT NULL THEN $5 ELSE s.state END,
         last_state_code = CASE WHEN t.newest THEN coalesce($6, s.last_state_code) ELSE s.last_state_code END,
         last_context = CASE WHEN t.newest THEN coalesce($7, s.last_context) ELSE s.last_context END,
         picked_up_at = coalesce(s.picked_up_at, $8::timestamptz),
         delivered_at = CASE WHEN $5 = 'delivered' THEN coalesce(s.delivered_at, $4::timestamptz, now()) ELSE s.delivered_at END,
         refused_at = CASE WHEN $5 IN ('refused', 'returned') THEN coalesce(s.refused_at, $4::timestamptz, now()) ELSE s.refused_at END,
         aborted_at = CASE WHEN $9::text IS NOT NULL THEN now() ELSE s.aborted_at END,
         abort_message = coalesce($9, s.abort_message),
         subscription = CASE WHEN $5 = 'delivered' AND s.subscription IN ('pending', 'subscribed') THEN 'closed' ELSE s.subscription END,
         events = (jsonb_build_array($12::jsonb) || s.events) - 30,
         updated_at = now()
       FROM target t WHERE s.order_id = t.order_id
       RETURNING s.order_id, s.delivered_at IS NOT NULL AND $5 = 'delivered' AS delivered`,
      [u.trackingNo, provider, u.carrier ?? null, u.at, u.state, u.code ?? null, u.context?.slice(0, 500) ?? null, picked, u.abort ?? null,
        u.order?.source ?? null, u.order?.externalId ?? null, JSON.stringify(event)],
    );
    for (const t of touched) {
      await insertAudit(tx, { actor: `tracking:${provider}`, source: 'tracking', entity: 'order', entityId: t.order_id, action: 'tracking.update', details: event });
    }
    return touched;
  }, { actor: `tracking:${provider}`, via: 'tracking' });
  for (const t of touched) {
    if (t.delivered) {
      const { rows: o } = await deps.pool.query<{ source: string; external_id: string }>('SELECT source, external_id FROM orders WHERE id = $1', [t.order_id]);
      if (o[0]) {
        await moveStage(deps, { source: o[0].source, externalId: o[0].external_id, stage: 'delivered', at: (u.at ?? deps.clock.now()).toISOString() }, `tracking:${provider}`);
      }
    }
    await deps.rejudge(t.order_id);
  }
  return touched.map((t) => t.order_id);
}
