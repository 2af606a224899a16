import type pg from 'pg';
import type { ProcessingTrigger } from './ingest-orders';
import { judgeStageUpdate, type StageUpdate } from '../domain/orders/stage-update';
import type { OrderStage, OrderStatus } from '../domain/orders/order';
import { insertAudit } from '../db/audit';
import { withTransaction } from '../db/pool';
import { upsertShipment } from '../db/signal-store';

export interface MoveStageDeps {
  pool: pg.Pool;
  /** Processing runs again after a move (stock is consumed at shipping, signals re-judged). */
  trigger: ProcessingTrigger;
  /** Tracking provider configured (快递100): a tracking number given at shipping is subscribed. */
  trackingProvider: 'kuaidi100' | null;
}

export type MoveStageResult =
  | { result: 'updated' | 'unchanged'; orderId: number; stage: OrderStage }
  | { result: 'not_found' }
  | { result: 'conflict'; reason: string; stage: OrderStage };

/**
 * Move an order to a warehouse stage with the time it happened: forward only, never for an unpaid
 * or closed order. The history row keeps the event time (order_history.event_at) beside the time
 * it was recorded; shipping records shipped_at and the tracking number (and starts tracking).
 * The order's revision moves on, so processing runs (stock consumed at shipping, signals).
 */
export async function moveStage(deps: MoveStageDeps, u: StageUpdate, actor: string): Promise<MoveStageResult> {
  const out = await withTransaction(deps.pool, async (tx) => {
    const { rows } = await tx.query<{ id: number; status: OrderStatus; stage: OrderStage; revision: number }>(
      'SELECT id, status, stage, revision FROM orders WHERE source = $1 AND external_id = $2 FOR UPDATE',
      [u.source, u.externalId],
    );
    const o = rows[0];
    if (!o) return { result: 'not_found' as const };
    const verdict = judgeStageUpdate(o, u.stage);
    const shipping = u.stage === 'shipped' || u.stage === 'delivered';
    if (!verdict.apply && verdict.result === 'conflict') return { result: 'conflict' as const, reason: verdict.reason, stage: o.stage };
    if (u.trackingNo && shipping) {
      await upsertShipment(tx, { orderId: o.id, trackingNo: u.trackingNo, carrier: u.carrier ?? null, shippedAt: new Date(u.at), provider: deps.trackingProvider ?? 'none', subscribe: deps.trackingProvider !== null });
    }
    if (!verdict.apply) {
      if (!u.trackingNo || !shipping) return { result: 'unchanged' as const, orderId: o.id, stage: o.stage, revision: undefined };
      // Same stage, a tracking number added: judge the order again so tracking starts.
      const { rows: bumped } = await tx.query<{ revision: number }>('UPDATE orders SET revision = revision + 1, updated_at = now() WHERE id = $1 RETURNING revision', [o.id]);
      return { result: 'unchanged' as const, orderId: o.id, stage: o.stage, revision: bumped[0]!.revision };
    }
    await tx.query("SELECT set_config('orderops.event_at', $1, true)", [u.at]);
    const { rows: moved } = await tx.query<{ revision: number }>(
      `UPDATE orders SET stage = $2, stage_changed_at = least($3::timestamptz, now()), revision = revision + 1, updated_at = now(),
         shipped_at = CASE WHEN $2 = 'shipped' AND (shipped_at IS NULL OR 'shipped_at' = ANY (times_estimated)) THEN $3::timestamptz ELSE shipped_at END,
         times_estimated = CASE WHEN $2 = 'shipped' THEN array_remove(times_estimated, 'shipped_at') ELSE times_estimated END
       WHERE id = $1 RETURNING revision`,
      [o.id, u.stage, u.at],
    );
    await insertAudit(tx, {
      actor, source: 'api', entity: 'order', entityId: o.id, action: 'order.stage',
      before: { stage: o.stage }, after: { stage: u.stage }, details: { at: u.at, trackingNo: u.trackingNo ?? null, carrier: u.carrier ?? null },
    });
    return { result: 'updated' as const, orderId: o.id, stage: u.stage, revision: moved[0]!.revision };
  }, { actor, via: 'api' });
  if ('revision' in out && out.revision !== undefined) {
    // Best effort: the sweeper processes any order whose revision was not.
    await deps.trigger.enqueue([{ id: out.orderId, revision: out.revision }]).catch(() => undefined);
  }
  if (out.result === 'updated' || out.result === 'unchanged') return { result: out.result, orderId: out.orderId, stage: out.stage };
  return out;
}
