import type pg from 'pg';
import type { Logger } from 'pino';
import type { OrderIntake } from './ingest-orders';
import type { IncomingOrder } from '../db/order-writes';
import { recordRejection } from '../db/rejects';
import { mapPmcMessage, type PmcRead } from '../integrations/platforms/pinduoduo/pmc';
import { shopOfOrder, type ShopSettings } from '../domain/reconcile/shop';

export interface PmcDeps {
  pool: pg.Pool;
  intake: Pick<OrderIntake, 'ingest'>;
  shops: ShopSettings[];
  logger: Logger;
  now?: () => Date;
}

/**
 * Store a batch of PDD messages as thin orders through the intake (then fetched whole), and say
 * which frames may be acknowledged: the stored ones, the ones about something else, and the
 * unreadable ones once kept in rejected_payloads. A failure to store throws: nothing is acknowledged
 * and PDD redelivers.
 */
export async function takePddFrames(deps: PmcDeps, reads: PmcRead[]): Promise<string[]> {
  const receivedAt = (deps.now ?? (() => new Date()))().toISOString();
  const orders: IncomingOrder[] = [];
  const ack: string[] = [];
  for (const r of reads) {
    if (r.kind === 'control') continue;
    if (r.kind === 'message') {
      // Orders are stored under the configured shop's id, as pulled PDD orders are.
      const shop = shopOfOrder(deps.shops, 'pinduoduo', r.frame.mallId)?.id ?? r.frame.mallId;
      const m = mapPmcMessage(r.frame, shop, receivedAt);
      if (m.kind === 'order') orders.push({ order: m.order, raw: r.frame.raw });
      else if (m.kind === 'error') await keep(deps, r.frame.raw, m.errors);
      ack.push(r.frame.id);
    } else {
      await keep(deps, {}, r.errors);
      if (r.id) ack.push(r.id);
    }
  }
  await deps.intake.ingest(orders, { via: 'pmc' });
  return ack;
}

async function keep(deps: PmcDeps, raw: unknown, errors: unknown): Promise<void> {
  await recordRejection(deps.pool, { source: 'pinduoduo', httpStatus: 200, reason: 'pmc_message', errors, body: Buffer.from(JSON.stringify(raw)), headers: {}, via: 'pmc' });
  deps.logger.warn({ errors }, 'PDD message kept in rejected_payloads and acknowledged');
}
