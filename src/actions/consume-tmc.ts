import type pg from 'pg';
import type { Logger } from 'pino';
import type { OrderIntake } from './ingest-orders';
import type { IncomingOrder } from '../db/order-writes';
import { recordRejection } from '../db/rejects';
import { obj, str } from '../integrations/platforms/common/platform-order';
import { confirmTmc, consumeTmc, mapTmcMessage, readTmcMessage } from '../integrations/platforms/taobao/tmc';
import type { TaobaoPullOptions } from '../integrations/platforms/taobao/pull';

export interface TmcDeps {
  pool: pg.Pool;
  intake: Pick<OrderIntake, 'ingest'>;
  /** The app's TOP credentials and gateway (no seller session: TMC is the app's queue). */
  api: Omit<TaobaoPullOptions, 'session'>;
  group: string;
  /** Messages per consume call (≤ 200). */
  quantity: number;
  logger: Logger;
  now?: () => Date;
}

export interface TmcRound {
  consumed: number;
  stored: number;
  skipped: number;
  rejected: number;
  confirmed: number;
}

/**
 * Drain Taobao's message queue (TMC over HTTP, §2.1): consume a batch, store its trade messages as
 * thin orders through the same intake as a push (same dedupe: a redelivered message changes
 * nothing), and only then confirm the batch, so a crash before the commit means redelivery, never
 * loss. Messages that cannot be read are kept in rejected_payloads and confirmed (a message that
 * can never be taken would otherwise come back forever). Thin orders are then fetched whole.
 */
export async function consumeTaobaoMessages(deps: TmcDeps, maxBatches = 10): Promise<TmcRound> {
  const round: TmcRound = { consumed: 0, stored: 0, skipped: 0, rejected: 0, confirmed: 0 };
  for (let batch = 0; batch < maxBatches; batch++) {
    const list = await consumeTmc(deps.api, deps.group, deps.quantity);
    if (list.length === 0) break;
    round.consumed += list.length;
    const receivedAt = (deps.now ?? (() => new Date()))().toISOString();
    const orders: IncomingOrder[] = [];
    const done: string[] = [];
    for (const raw of list) {
      const id = str(obj(raw).id);
      const m = readTmcMessage(raw);
      const mapped = 'errors' in m ? { kind: 'error' as const, errors: m.errors } : mapTmcMessage(m, receivedAt);
      if (mapped.kind === 'order' && !('errors' in m)) orders.push({ order: mapped.order, raw: m.raw });
      else if (mapped.kind === 'skip') round.skipped++;
      else if (mapped.kind === 'error') {
        round.rejected++;
        await recordRejection(deps.pool, {
          source: 'taobao', httpStatus: 200, reason: 'tmc_message', errors: mapped.errors, via: 'tmc',
          body: Buffer.from(JSON.stringify(raw)), headers: { topic: str(obj(raw).topic) ?? '' },
        });
        deps.logger.warn({ id, errors: mapped.errors }, 'TMC message kept in rejected_payloads and confirmed');
      }
      if (id) done.push(id);
    }
    const written = await deps.intake.ingest(orders, { via: 'tmc' });
    round.stored += written.filter((w) => w.outcome === 'created' || w.outcome === 'updated').length;
    await confirmTmc(deps.api, deps.group, done);
    round.confirmed += done.length;
    if (list.length < deps.quantity) break;
  }
  return round;
}
