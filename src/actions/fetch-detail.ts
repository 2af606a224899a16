import type pg from 'pg';
import type { OrderIntake } from './ingest-orders';
import type { WriteOutcome } from '../db/order-writes';
import { shopOfOrder, type ShopSettings } from '../domain/reconcile/shop';
import type { PullerFor } from '../domain/platforms/ports';

export interface DetailDeps {
  pool: pg.Pool;
  shops: ShopSettings[];
  pullers: PullerFor;
  intake: Pick<OrderIntake, 'ingest'>;
}

export type DetailOutcome =
  | { outcome: 'fetched'; write: WriteOutcome | 'refused' }
  /** Nothing to do: the order is gone, or whole already (a later push or a reconcile filled it). */
  | { outcome: 'missing' | 'whole' }
  /** Cannot fetch: no configured shop, no credentials or no detail API; reconciliation fills it later. */
  | { outcome: 'cannot'; reason: string };

/**
 * A thin push (a status message with no items or address) is followed by the platform's detail
 * API for that one order, through the same intake as a push: same dedupe, same rules once whole.
 * Platform errors are thrown (PlatformApiError says whether a retry can help).
 */
export async function fetchOrderDetail(deps: DetailDeps, orderId: number): Promise<DetailOutcome> {
  const { rows } = await deps.pool.query<{ source: string; external_id: string; shop: string | null; partial: boolean | null }>(
    `SELECT source, external_id, shop, (data->>'partial')::boolean AS partial FROM orders WHERE id = $1`,
    [orderId],
  );
  const o = rows[0];
  if (!o) return { outcome: 'missing' };
  if (o.partial !== true) return { outcome: 'whole' };
  const shop = shopOfOrder(deps.shops, o.source, o.shop ?? undefined);
  if (!shop) return { outcome: 'cannot', reason: `no ${o.source} shop in orderops.yml has order_shop "${o.shop ?? ''}"` };
  const usable = deps.pullers(shop);
  if (!usable.ok) return { outcome: 'cannot', reason: usable.reason };
  if (!usable.puller.fetch) return { outcome: 'cannot', reason: `${o.source} order details are not fetched: reconciliation fills thin orders` };
  const whole = await usable.puller.fetch(o.external_id);
  if (whole.order.externalId !== o.external_id) {
    return { outcome: 'cannot', reason: `the platform answered order ${whole.order.externalId} for ${o.external_id}` };
  }
  const [written] = await deps.intake.ingest([whole]);
  return { outcome: 'fetched', write: written!.outcome };
}
