import type pg from 'pg';
import type { Clock } from '../../domain/ports';
import { ShopPushError, type OutboundPort } from '../../domain/shop/shop-port';
import { effectiveOrder } from '../../domain/orders/effective';
import { claimWebhookChange, webhookChangeDone } from '../../db/order-changes';
import type { SendOutcome } from './push-deps';

export interface OrderWebhookDeps {
  pool: pg.Pool;
  clock: Clock;
  erp: OutboundPort;
  attempts: number;
}

/**
 * Tell the seller's ERP of one order change that matters to shipping (address fixed, approved, held,
 * released, cancelled): a signed `order.changed` event with the effective order as it is now and the
 * platform's original, retried from the outbox like a push; `id` lets the receiver drop a repeat.
 */
export async function sendOrderChange(deps: OrderWebhookDeps, changeId: number): Promise<SendOutcome> {
  const c = await claimWebhookChange(deps.pool, changeId, deps.clock.now());
  if (!c) return { status: 'skipped' };
  const view = effectiveOrder(c);
  try {
    await deps.erp.send({
      id: `order-change-${c.id}`, type: 'order.changed', occurred_at: c.at.toISOString(), events: c.events,
      order: { source: c.source, external_id: c.external_id, ...view },
    });
  } catch (e) {
    const err = e instanceof ShopPushError ? e : new ShopPushError('transient', 'error', (e as Error).message);
    const final = err.kind === 'permanent' || c.attempts >= deps.attempts;
    await webhookChangeDone(deps.pool, c.id, { ok: false, message: err.platformMessage, final: final && err.kind !== 'throttled' }, deps.clock.now());
    if (err.kind === 'throttled') return { status: 'throttled', retryAfterMs: err.retryAfterMs ?? 1000, message: err.platformMessage };
    return final ? { status: 'failed', message: err.platformMessage } : { status: 'retry', message: err.platformMessage };
  }
  await webhookChangeDone(deps.pool, c.id, { ok: true }, deps.clock.now());
  return { status: 'pushed' };
}
