import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { QUICK_JOB_WORKER } from './queues';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Histogram, type Registry } from 'prom-client';
import { planNext, runEscalation, type EscalationEngineDeps } from '../actions/escalation';
import { deliverNotification, type DeliveryDeps } from '../actions/deliver-notification';
import { notifyEscalation, type EscalationDeps } from '../actions/notify-escalation';
import { pageOffShift } from '../actions/off-shift-page';
import type { ActionDeps } from '../actions/exception-actions';
import { ChatDeliveryError } from '../domain/errors';
import { QUEUE_NOTIFY, JOB_NOTIFY_ESCALATION } from './card-jobs';

export const QUEUE_SLA = 'sla';
export const JOB_SLA_SCHEDULE = 'sla.schedule';
export const JOB_SLA_ESCALATE = 'sla.escalate';
export const JOB_NOTIFY_DELIVER = 'notify.deliver';

const OPTIONS = { attempts: 10, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: true, removeOnFail: { age: 600 } } as const;

export const escalateJobId = (exceptionId: number, step: string): string => `sla:${exceptionId}:${step}`;
export const deliverJobId = (notificationId: number): string => `notify-${notificationId}`;

export interface SlaQueues {
  sla: Queue;
  notify: Queue;
}

/** Schedule the exception's next escalation after any change (open, claim, resolve, escalate). */
export function slaTrigger(q: SlaQueues, logger: Logger): { changed(exceptionId: number, version: number): Promise<void> } {
  return {
    changed: (exceptionId, version) =>
      q.sla
        .add(JOB_SLA_SCHEDULE, { exceptionId }, { ...OPTIONS, jobId: `slasched:${exceptionId}:${version}` })
        .then(() => undefined, (err: unknown) => logger.warn({ err: (err as Error).message, exceptionId }, 'SLA schedule not enqueued; the sweeper will catch up')),
  };
}

export async function enqueueEscalation(q: SlaQueues, exceptionId: number, step: string, at: Date, now: Date): Promise<void> {
  await q.sla.add(JOB_SLA_ESCALATE, { exceptionId, step }, { ...OPTIONS, jobId: escalateJobId(exceptionId, step), delay: Math.max(0, at.getTime() - now.getTime()) });
}

export async function enqueueDelivery(q: SlaQueues, notificationId: number, delayMs = 0): Promise<void> {
  await q.notify.add(JOB_NOTIFY_DELIVER, { notificationId }, { ...OPTIONS, jobId: deliverJobId(notificationId), delay: Math.max(0, delayMs) });
}

export interface SlaWorkerDeps extends EscalationEngineDeps, DeliveryDeps, EscalationDeps {
  connection: Redis;
  prefix: string;
  logger: Logger;
  queues: SlaQueues;
  cards: Pick<ActionDeps, 'cards'>['cards'];
  registry: Registry;
}

/** The SLA worker (schedule + fire) and the notification worker (deliver + manual escalations). */
export function startSlaWorkers(deps: SlaWorkerDeps): { close(): Promise<void> } {
  const { connection, prefix, logger, queues } = deps;
  const lateness = new Histogram({
    name: 'orderops_sla_lateness_seconds',
    help: 'How late an escalation fired after its due time',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300],
    registers: [deps.registry],
  });

  const sla = new Worker(
    QUEUE_SLA,
    async (job: Job, token?: string) => {
      const now = deps.clock.now();
      if (job.name === JOB_SLA_SCHEDULE) {
        const next = await planNext(deps.pool, deps.policy, job.data.exceptionId);
        if (next) await enqueueEscalation(queues, job.data.exceptionId, next.id, next.at, now);
        // A new critical exception outside every shift pages the person on call at once.
        for (const id of await pageOffShift(deps, job.data.exceptionId)) await enqueueDelivery(queues, id);
        return next?.id ?? 'none';
      }
      const run = await runEscalation(deps, job.data.exceptionId, job.data.step);
      if (run.status === 'early') {
        // Never early: the job goes back to sleep until the due time Postgres holds.
        await job.moveToDelayed(run.at.getTime(), token);
        throw new DelayedError();
      }
      if (run.status === 'fired') {
        lateness.observe(run.lateMs / 1000);
        logger.info({ exceptionId: job.data.exceptionId, step: job.data.step, lateMs: run.lateMs, notifications: run.notifications.length }, 'SLA escalation fired');
        for (const id of run.notifications) await enqueueDelivery(queues, id);
        await deps.cards.changed(job.data.exceptionId, run.version);
      }
      return run.status;
    },
    { connection, prefix, concurrency: 4, ...QUICK_JOB_WORKER },
  );

  const notify = new Worker(
    QUEUE_NOTIFY,
    async (job: Job, token?: string) => {
      if (job.name === JOB_NOTIFY_ESCALATION) return notifyEscalation(deps, job.data.exceptionId, job.data.version, job.data.actorId);
      try {
        const out = await deliverNotification(deps, job.data.notificationId);
        if (out.status === 'wait') {
          // Held by the channel's window (SMS quiet hours): sleep until it opens.
          await job.moveToDelayed(out.until.getTime(), token);
          throw new DelayedError();
        }
        return out.status;
      } catch (e) {
        if (e instanceof ChatDeliveryError && e.kind === 'rate_limited' && e.retryAfterMs) {
          await job.moveToDelayed(Date.now() + e.retryAfterMs, token);
          throw new DelayedError();
        }
        throw e;
      }
    },
    { connection, prefix, concurrency: 4, ...QUICK_JOB_WORKER },
  );
  for (const w of [sla, notify]) {
    w.on('error', (err) => logger.warn({ err: err.message, queue: w.name }, 'worker error'));
    w.on('failed', (job, err) => logger.error({ jobId: job?.id, err: err.message, queue: w.name }, 'job failed'));
  }
  return { close: async () => void (await Promise.all([sla.close(), notify.close()])) };
}

/**
 * Catch what Redis lost or a crash dropped: overdue escalations with no live job, exceptions with no
 * timer recorded, and notifications still pending past their time. Deterministic job ids make a
 * re-enqueue of something still queued a no-op.
 */
export async function sweepSla(
  deps: Pick<SlaWorkerDeps, 'pool' | 'policy' | 'queues' | 'clock'>,
  opts: { horizonMs?: number } = {},
): Promise<{ timers: number; planned: number; notifications: number }> {
  const now = deps.clock.now();
  // On a schedule only overdue timers matter; at start-up (horizonMs) future ones are re-armed too,
  // so a Redis that lost everything is back to precise timers at once.
  const overdue = await deps.pool.query<{ id: number; step: string; at: Date }>(
    `SELECT id, next_escalation_step AS step, next_escalation_at AS at FROM exceptions
     WHERE next_escalation_at <= $1 AND status <> 'resolved' ORDER BY next_escalation_at LIMIT 10000`,
    [new Date(now.getTime() + (opts.horizonMs ?? 0))],
  );
  for (const r of overdue.rows) await enqueueEscalation(deps.queues, r.id, r.step, r.at, now);
  const unplanned = await deps.pool.query<{ id: number }>(
    `SELECT id FROM exceptions WHERE status <> 'resolved' AND next_escalation_at IS NULL AND NOT quiet
       AND updated_at < $1::timestamptz - interval '15 seconds' AND created_at > $1::timestamptz - interval '7 days'
       AND (level2_sent = 0 OR (assignee IS NULL AND level1_sent = 0)) LIMIT 1000`,
    [now],
  );
  let planned = 0;
  for (const r of unplanned.rows) {
    const next = await planNext(deps.pool, deps.policy, r.id);
    if (next) {
      await enqueueEscalation(deps.queues, r.id, next.id, next.at, now);
      planned++;
    }
  }
  const pending = await deps.pool.query<{ id: number }>(
    `SELECT id FROM notifications WHERE status = 'pending' AND coalesce(not_before, created_at) < $1::timestamptz - interval '30 seconds' LIMIT 1000`,
    [now],
  );
  for (const r of pending.rows) await enqueueDelivery(deps.queues, r.id);
  return { timers: overdue.rowCount ?? 0, planned, notifications: pending.rowCount ?? 0 };
}
