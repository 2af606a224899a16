import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { syncCard, type CardSyncDeps } from '../actions/sync-cards';
import type { EscalationDeps } from '../actions/notify-escalation';
import type { ActionDeps } from '../actions/exception-actions';
import { staleBacklogCards, staleCards } from '../db/chat-messages';
import type { Settings } from '../config/settings';

export const QUEUE_CARDS = 'cards';
export const QUEUE_NOTIFY = 'notify';
export const JOB_CARD_SYNC = 'card.sync';
export const JOB_NOTIFY_ESCALATION = 'notify.escalation';

const JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: { age: 600 },
} as const;

export interface CardJob {
  /** exception:<id> or backlog:<id> (older jobs carry exceptionId only). */
  key?: string;
  exceptionId?: number;
  version: number;
}

/** Deterministic per card and version ("card:exception-12:3"): a re-enqueue of the same version is a no-op. */
export const cardJobId = (key: string, version: number): string => `card:${key.replace(':', '-')}:${version}`;

export interface CardQueues {
  cards: Queue<CardJob>;
  /** Manual escalation notices and SLA notification deliveries. */
  notify: Queue;
  /** SLA timers: schedule and fire escalations. */
  sla: Queue;
  close(): Promise<void>;
}

export function createCardQueues(connection: Redis, prefix: string, logger: Logger): CardQueues {
  const cards = new Queue<CardJob>(QUEUE_CARDS, { connection, prefix });
  const notify = new Queue(QUEUE_NOTIFY, { connection, prefix });
  const sla = new Queue('sla', { connection, prefix });
  for (const q of [cards, notify, sla]) q.on('error', (err) => logger.debug({ err: err.message, queue: q.name }, 'queue error'));
  return { cards, notify, sla, close: async () => void (await Promise.all([cards.close(), notify.close(), sla.close()])) };
}

export async function enqueueCard(q: Pick<CardQueues, 'cards'>, key: string, version: number): Promise<void> {
  await q.cards.add(JOB_CARD_SYNC, { key, version }, { ...JOB_OPTIONS, jobId: cardJobId(key, version) });
}

/**
 * The triggers actions use after commit. Best effort: if Redis is away the sweeper finds the card
 * behind its exception's version and catches up.
 */
export function cardTriggers(q: CardQueues, logger: Logger, alsoOnChange: (exceptionId: number, version: number) => Promise<void> = async () => undefined): Pick<ActionDeps, 'cards' | 'escalations'> {
  const soft = (what: string) => (err: unknown) => logger.warn({ err: (err as Error).message }, `${what} not enqueued; the sweeper will catch up`);
  return {
    cards: {
      changed: async (exceptionId, version) => {
        await Promise.all([
          enqueueCard(q, `exception:${exceptionId}`, version).then(() => undefined, soft('card sync')),
          alsoOnChange(exceptionId, version),
        ]);
      },
    },
    escalations: {
      // Escalation notices are not recoverable from a version number alone, so a failure is loud.
      escalated: async (exceptionId, version, actorId) => {
        await q.notify.add(JOB_NOTIFY_ESCALATION, { exceptionId, version, actorId }, { ...JOB_OPTIONS, jobId: `escalate:${exceptionId}:${version}` });
      },
    },
  };
}

export interface CardWorkerDeps extends CardSyncDeps, EscalationDeps {
  connection: Redis;
  prefix: string;
  logger: Logger;
  concurrency: number;
}

export function startCardWorkers(deps: CardWorkerDeps): { close(): Promise<void> } {
  const { connection, prefix, logger } = deps;
  const cards = new Worker<CardJob>(
    QUEUE_CARDS,
    async (job) => {
      const out = await syncCard(deps, job.data.key ?? `exception:${job.data.exceptionId}`);
      const first = out.errors[0];
      if (first) {
        if (first.kind === 'rate_limited' && first.retryAfterMs) {
          // The platform said when: pause this queue that long, then retry this job.
          await cards.rateLimit(first.retryAfterMs);
          throw Worker.RateLimitError();
        }
        throw first;
      }
      return out;
    },
    { connection, prefix, concurrency: deps.concurrency },
  );
  for (const w of [cards]) {
    w.on('error', (err) => logger.warn({ err: err.message, queue: w.name }, 'worker error'));
    w.on('failed', (job, err) => logger.error({ jobId: job?.id, err: err.message, queue: w.name }, 'job failed'));
  }
  return { close: () => cards.close() };
}

/** Cards missing or behind on any platform: re-enqueued by the maintenance sweep. */
export async function sweepCards(deps: CardSyncDeps & { settings: Settings; trigger: Pick<ActionDeps, 'cards'>; queues: Pick<CardQueues, 'cards'> }): Promise<number> {
  let n = 0;
  for (const chat of deps.chats) {
    const teams = Object.keys(deps.settings.teams);
    const routed = teams.filter((t) => chat.channelFor(t));
    // A fallback channel routes every team, including ones named only by custom rules.
    const all = chat.channelFor('\u0000no-such-team') !== undefined;
    const stale = await staleCards(deps.pool, chat.platform, all ? null : routed, 15, 500);
    for (const s of stale) await deps.trigger.cards.changed(s.id, s.version);
    const backlog = await staleBacklogCards(deps.pool, chat.platform, 15, 100);
    for (const b of backlog) await enqueueCard(deps.queues, `backlog:${b.id}`, b.version);
    n += stale.length + backlog.length;
  }
  return n;
}
