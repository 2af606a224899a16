import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type pg from 'pg';
import { applySignals, type SignalDeps, type SignalOutcome } from '../actions/apply-signals';
import { subscribeTracking } from '../actions/subscribe-tracking';
import type { ActionDeps } from '../actions/exception-actions';
import type { Clock } from '../domain/ports';
import type { SignalTimer, TimerKind } from '../domain/signals/detect';
import type { TrackingSubscriber } from '../domain/tracking';
import { dueTimers } from '../db/signal-store';
import { QUICK_JOB_WORKER } from './queues';

export const QUEUE_SIGNALS = 'signals';
export const JOB_SIGNAL_FIRE = 'signal.fire';
export const JOB_SIGNAL_APPLY = 'signal.apply';
export const JOB_TRACKING_SUBSCRIBE = 'tracking.subscribe';

const OPTIONS = { attempts: 10, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: true, removeOnFail: { age: 600 } } as const;

/**
 * Deterministic per order, kind and due instant (`signal:<order>:<kind>-<due ms>`; BullMQ takes at
 * most two colons in a custom id): a timer moved to a new due time gets a new job.
 */
export const signalJobId = (orderId: number, kind: TimerKind, dueAt: Date): string => `signal:${orderId}:${kind}-${dueAt.getTime()}`;

export function createSignalQueue(connection: Redis, prefix: string, logger: Logger): Queue {
  const q = new Queue(QUEUE_SIGNALS, { connection, prefix });
  q.on('error', (err) => logger.debug({ err: err.message }, 'signal queue error'));
  return q;
}

export async function enqueueTimers(q: Queue, orderId: number, timers: SignalTimer[], now: Date): Promise<void> {
  for (const t of timers) {
    await q.add(JOB_SIGNAL_FIRE, { orderId, kind: t.kind, dueAt: t.dueAt.getTime() }, { ...OPTIONS, jobId: signalJobId(orderId, t.kind, t.dueAt), delay: Math.max(0, t.dueAt.getTime() - now.getTime()) });
  }
}

/** Re-judge an order's signals soon (a tracking push, a stage update): idempotent, so no id is needed. */
export async function enqueueSignalApply(q: Queue, orderId: number): Promise<void> {
  await q.add(JOB_SIGNAL_APPLY, { orderId }, OPTIONS);
}

export async function enqueueSubscribe(q: Queue, orderId: number): Promise<void> {
  await q.add(JOB_TRACKING_SUBSCRIBE, { orderId }, { ...OPTIONS, jobId: `tracking:${orderId}:subscribe` });
}

export interface SignalJobDeps {
  pool: pg.Pool;
  clock: Clock;
  signals: SignalDeps;
  queue: Queue;
  cards: Pick<ActionDeps, 'cards'>['cards'];
  logger: Logger;
  subscriber?: TrackingSubscriber;
}

/** After a signals step committed: cards (and their SLA plans), timer jobs, a subscription. */
export async function followSignals(deps: Pick<SignalJobDeps, 'queue' | 'cards' | 'clock'>, orderId: number, out: Pick<SignalOutcome, 'timers' | 'subscribe'> & Partial<Pick<SignalOutcome, 'opened' | 'changed' | 'closed'>>): Promise<void> {
  for (const ref of [...(out.opened ?? []), ...(out.changed ?? []), ...(out.closed ?? [])]) await deps.cards.changed(ref.id, ref.version);
  if (out.timers.length > 0) await enqueueTimers(deps.queue, orderId, out.timers, deps.clock.now());
  if (out.subscribe) await enqueueSubscribe(deps.queue, orderId);
}

/**
 * The signal worker: a timer fires (the guarded way: the row in Postgres decides — a timer that
 * was dropped, fired already or moved is stale; one that is early sleeps again), an order is
 * re-judged, a parcel is subscribed.
 */
export function startSignalWorker(deps: SignalJobDeps & { connection: Redis; prefix: string }): { close(): Promise<void> } {
  const w = new Worker(
    QUEUE_SIGNALS,
    async (job: Job, token?: string) => {
      const orderId = Number(job.data.orderId);
      if (job.name === JOB_TRACKING_SUBSCRIBE) {
        if (!deps.subscriber) return 'no subscriber';
        const r = await subscribeTracking({ pool: deps.pool, subscriber: deps.subscriber, carrierCodes: deps.signals.settings.tracking.carrierCodes }, orderId);
        if (r === 'subscribed') await enqueueSignalApply(deps.queue, orderId);
        return r;
      }
      if (job.name === JOB_SIGNAL_FIRE) {
        const { rows } = await deps.pool.query<{ due_at: Date; fired_at: Date | null }>('SELECT due_at, fired_at FROM order_timers WHERE order_id = $1 AND kind = $2', [orderId, job.data.kind]);
        const timer = rows[0];
        if (!timer || timer.fired_at) return 'dropped';
        if (timer.due_at.getTime() !== Number(job.data.dueAt)) return 'stale';
        if (timer.due_at.getTime() > deps.clock.now().getTime()) {
          await job.moveToDelayed(timer.due_at.getTime(), token);
          throw new DelayedError();
        }
      } else if (job.name !== JOB_SIGNAL_APPLY) throw new UnrecoverableError(`unknown job ${job.name}`);
      const out = await applySignals({ ...deps.signals, pool: deps.pool, clock: deps.clock }, orderId);
      if (!out) return 'missing';
      await followSignals(deps, orderId, out);
      if (out.opened.length + out.changed.length > 0) deps.logger.info({ orderId, opened: out.opened.map((o) => o.id), changed: out.changed.map((c) => c.id) }, 'signal exceptions');
      return 'applied';
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 4, ...QUICK_JOB_WORKER },
  );
  w.on('error', (err) => deps.logger.warn({ err: err.message, queue: w.name }, 'worker error'));
  w.on('failed', (job, err) => deps.logger.error({ jobId: job?.id, err: err.message, queue: w.name }, 'job failed'));
  return { close: () => w.close() };
}

/**
 * Catch what Redis lost: every unfired timer due by now (on a schedule) or within `horizonMs` (at
 * start, so a wiped Redis is back to precise timers), and parcels still waiting for a subscription.
 */
export async function sweepSignals(deps: Pick<SignalJobDeps, 'pool' | 'clock' | 'queue'> & { subscribing: boolean }, opts: { horizonMs?: number } = {}): Promise<{ timers: number; subscriptions: number }> {
  const now = deps.clock.now();
  const due = await dueTimers(deps.pool, new Date(now.getTime() + (opts.horizonMs ?? 0)));
  for (const t of due) await enqueueTimers(deps.queue, t.orderId, [{ kind: t.kind, dueAt: t.dueAt }], now);
  let subscriptions = 0;
  if (deps.subscribing) {
    const { rows } = await deps.pool.query<{ order_id: number }>(
      `SELECT order_id FROM shipments WHERE subscription = 'pending' AND updated_at < $1::timestamptz - interval '30 seconds' LIMIT 1000`, [now],
    );
    for (const r of rows) await enqueueSubscribe(deps.queue, r.order_id);
    subscriptions = rows.length;
  }
  return { timers: due.length, subscriptions };
}
