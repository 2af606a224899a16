import type pg from 'pg';
import { kuaidi100Code } from '../domain/signals/carriers';
import type { TrackingSubscriber } from '../domain/tracking';
import { insertAudit } from '../db/audit';
import { setSubscription } from '../db/signal-store';

export interface SubscribeDeps {
  pool: pg.Pool;
  subscriber: TrackingSubscriber;
  /** tracking.carrier_codes of orderops.yml. */
  carrierCodes: Record<string, string>;
}

export type SubscribeOutcome = 'subscribed' | 'failed' | 'skipped';

/**
 * Subscribe a shipped parcel at the tracking service (made when an order ships; the service then
 * pushes to /webhooks/tracking/…). Permanent refusals (unknown carrier, bad number, key) are
 * recorded on the shipment; a transient failure throws so the job retries.
 */
export async function subscribeTracking(deps: SubscribeDeps, orderId: number): Promise<SubscribeOutcome> {
  const { rows } = await deps.pool.query<{ tracking_no: string; carrier: string | null; subscription: string; phone: string | null }>(
    `SELECT s.tracking_no, s.carrier, s.subscription, o.buyer_phone AS phone FROM shipments s JOIN orders o ON o.id = s.order_id WHERE s.order_id = $1`,
    [orderId],
  );
  const s = rows[0];
  if (!s || s.subscription !== 'pending') return 'skipped';
  const code = kuaidi100Code(s.carrier, deps.carrierCodes);
  const fail = async (reason: string) => {
    await setSubscription(deps.pool, orderId, 'failed', reason);
    await insertAudit(deps.pool, { actor: 'system', source: 'tracking', entity: 'order', entityId: orderId, action: 'tracking.subscribe_failed', details: { reason, trackingNo: s.tracking_no } });
    return 'failed' as const;
  };
  if (!code) return fail(`unknown carrier "${s.carrier ?? ''}": add it under tracking.carrier_codes in orderops.yml`);
  // SF and some others want the receiver's (or sender's) phone; the last four digits suffice.
  const phone = s.phone?.replace(/\D/g, '').slice(-4) || undefined;
  const r = await deps.subscriber.subscribe({ carrierCode: code, trackingNo: s.tracking_no, phone });
  if (!r.ok) return fail(r.reason);
  await setSubscription(deps.pool, orderId, 'subscribed');
  await insertAudit(deps.pool, { actor: 'system', source: 'tracking', entity: 'order', entityId: orderId, action: 'tracking.subscribed', details: { provider: deps.subscriber.provider, carrier: code, trackingNo: s.tracking_no, already: r.already ?? false } });
  return 'subscribed';
}
