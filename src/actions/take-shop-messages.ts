import type pg from 'pg';
import type { Logger } from 'pino';
import type { OrderIntake } from './ingest-orders';
import type { IncomingOrder } from '../db/order-writes';
import { recordRejection } from '../db/rejects';
import type { ShopMessage, ShopMessageQueue } from '../domain/platforms/ports';

export interface ShopMessageDeps {
  pool: pg.Pool;
  intake: Pick<OrderIntake, 'ingest'>;
  logger: Logger;
}

export interface MessageTally {
  /** Ids to confirm / acknowledge: every message that had one, once its order is stored. */
  ack: string[];
  stored: number;
  skipped: number;
  rejected: number;
}

/**
 * Store a batch of a platform's messages (Taobao TMC, PDD PMC) as thin orders through the same
 * intake as a push (same dedupe: a redelivered message changes nothing; thin orders are then
 * fetched whole). Messages that cannot be read are kept in rejected_payloads with `rejectReason`
 * and acknowledged all the same: one that can never be taken would otherwise come back forever.
 * A failure to store throws before anything is acknowledged, so the platform redelivers.
 */
export async function takeShopMessages(deps: ShopMessageDeps, source: string, rejectReason: string, messages: ShopMessage[]): Promise<MessageTally> {
  const tally: MessageTally = { ack: [], stored: 0, skipped: 0, rejected: 0 };
  const orders: IncomingOrder[] = [];
  for (const m of messages) {
    if (m.result.kind === 'order') orders.push(m.result.order);
    else if (m.result.kind === 'skip') tally.skipped++;
    else {
      tally.rejected++;
      await recordRejection(deps.pool, {
        source, httpStatus: 200, reason: rejectReason, errors: m.result.errors, body: Buffer.from(JSON.stringify(m.raw)), headers: m.headers ?? {}, via: 'message',
      });
      deps.logger.warn({ source, id: m.id, errors: m.result.errors }, 'platform message kept in rejected_payloads and acknowledged');
    }
    if (m.id) tally.ack.push(m.id);
  }
  const written = await deps.intake.ingest(orders, { via: 'message' });
  tally.stored = written.filter((w) => w.outcome === 'created' || w.outcome === 'updated').length;
  return tally;
}

export interface QueueDeps extends ShopMessageDeps {
  queue: ShopMessageQueue;
  /** Kept with an unreadable message in rejected_payloads, e.g. `tmc_message`. */
  rejectReason: string;
  now?: () => Date;
}

export interface QueueRound {
  consumed: number;
  stored: number;
  skipped: number;
  rejected: number;
  confirmed: number;
}

/**
 * Drain a platform's message queue (Taobao TMC over HTTP, shop-platforms.md §2.1): consume a
 * batch, store it (takeShopMessages), and only then confirm it, so a crash before the commit means
 * redelivery, never loss.
 */
export async function drainMessageQueue(deps: QueueDeps, maxBatches = 10): Promise<QueueRound> {
  const round: QueueRound = { consumed: 0, stored: 0, skipped: 0, rejected: 0, confirmed: 0 };
  for (let batch = 0; batch < maxBatches; batch++) {
    const list = await deps.queue.consume((deps.now ?? (() => new Date()))().toISOString());
    if (list.length === 0) break;
    round.consumed += list.length;
    const t = await takeShopMessages(deps, deps.queue.source, deps.rejectReason, list);
    round.stored += t.stored;
    round.skipped += t.skipped;
    round.rejected += t.rejected;
    await deps.queue.confirm(t.ack);
    round.confirmed += t.ack.length;
    if (list.length < deps.queue.batchSize) break;
  }
  return round;
}
