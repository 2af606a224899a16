import { DelayedError, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { syncCard, type CardSyncDeps } from '../actions/sync-cards';
import type { EscalationDeps } from '../actions/notify-escalation';
import type { ActionDeps } from '../actions/exception-actions';
import { staleBacklogCards, staleCards } from '../db/chat-messages';
import type { Settings } from '../config/settings';
import { QUICK_JOB_WORKER } from './queues';
import { clearQuietDigests, digestVersion, releaseDigestMembers, staleDigestCards } from '../db/digests';
import { systemClock } from '../domain/ports';

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

/** A digest card is re-rendered at most once per this many ms, however fast members join. */
export const DIGEST_EVERY_MS = 3000;

/**
 * Sync a digest's card at the end of the current 3-second slot (or the next one): every join in a
 * slot maps to the same job id, so a storm of joins becomes one update per slot.
 */
export async function enqueueDigest(q: Pick<CardQueues, 'cards'>, digestId: number, opts: { next?: boolean; now?: number } = {}): Promise<void> {
  const now = opts.now ?? Date.now();
  const slot = Math.floor(now / DIGEST_EVERY_MS) + (opts.next ? 1 : 0);
  await q.cards.add(
    JOB_CARD_SYNC,
    { key: `digest:${digestId}`, version: 0 },
    { ...JOB_OPTIONS, jobId: `card:digest-${digestId}:s${slot}`, delay: Math.max(0, (slot + 1) * DIGEST_EVERY_MS - now) },
  );
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
  /** Where a digest's coalesced sync is enqueued when an exception turns out to be one of its lines. */
  queues: Pick<CardQueues, 'cards'>;
  connection: Redis;
  prefix: string;
  logger: Logger;
  concurrency: number;
}

export function startCardWorkers(deps: CardWorkerDeps): { close(): Promise<void> } {
  const { connection, prefix, logger } = deps;
  const cards = new Worker<CardJob>(
    QUEUE_CARDS,
    async (job, token) => {
      const key = job.data.key ?? `exception:${job.data.exceptionId}`;
      const out = await syncCard(deps, key);
      if (out.digest !== undefined) await enqueueDigest(deps.queues, out.digest);
      if (key.startsWith('digest:') && out.version !== undefined) {
        // Members that joined while this run rendered: one more run in the next slot.
        const now = await digestVersion(deps.pool, Number(key.slice('digest:'.length)));
        if (now !== null && now > out.version) await enqueueDigest(deps.queues, Number(key.slice('digest:'.length)), { next: true });
      }
      const first = out.errors[0];
      if (first) {
        if (first.kind === 'rate_limited' && first.retryAfterMs && token) {
          // The platform (or its pace) said when: delay this job alone, so other channels go on,
          // and without spending one of its attempts.
          await job.moveToDelayed(Date.now() + first.retryAfterMs, token);
          throw new DelayedError();
        }
        throw first;
      }
      return out;
    },
    { connection, prefix, concurrency: deps.concurrency, ...QUICK_JOB_WORKER },
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
  // Storms that went quiet: their digests clear, and members still open get cards of their own.
  const storm = deps.settings.storm;
  const now = (deps.clock ?? systemClock).now();
  for (const id of await clearQuietDigests(deps.pool, storm, now)) await enqueueDigest(deps.queues, id);
  const released = await releaseDigestMembers(deps.pool, storm, now);
  for (const e of released.exceptions) await deps.trigger.cards.changed(e.id, e.version);
  for (const id of released.digests) await enqueueDigest(deps.queues, id);
  for (const chat of deps.chats) {
    const teams = Object.keys(deps.settings.teams);
    const routed = teams.filter((t) => chat.channelFor(t));
    // A fallback channel routes every team, including ones named only by custom rules.
    const all = chat.channelFor('\u0000no-such-team') !== undefined;
    const stale = await staleCards(deps.pool, chat.platform, all ? null : routed, 15, 500);
    for (const s of stale) await deps.trigger.cards.changed(s.id, s.version);
    const backlog = await staleBacklogCards(deps.pool, chat.platform, 15, 100);
    for (const b of backlog) await enqueueCard(deps.queues, `backlog:${b.id}`, b.version);
    const digests = await staleDigestCards(deps.pool, chat.platform, 5, 100);
    for (const id of digests) await enqueueDigest(deps.queues, id);
    n += stale.length + backlog.length + digests.length;
  }
  return n;
}
