import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ChatPort } from '../domain/ports';
import { dailyPattern } from '../domain/inventory/schedule';
import { makeConsistencyReport, type ReportDeps } from '../actions/inventory/consistency-report';
import { publishDuePriceChanges, type PriceDeps } from '../actions/inventory/price-changes';
import { staleInventoryCards } from '../db/inventory-cards';

export const QUEUE_INVENTORY = 'inventory';
/** Scheduler ids double as job names. */
export const JOB_CONSISTENCY_REPORT = 'consistency.report';
export const JOB_INVENTORY_SWEEP = 'inventory.sweep';

export interface InventoryWorkerDeps extends ReportDeps {
  connection: Redis;
  prefix: string;
  logger: Logger;
  chats: ChatPort[];
  prices: PriceDeps;
  /** Re-render a card (enqueue its sync job). */
  cardChanged(key: string, version: number): Promise<void>;
  sweepSeconds?: number;
  /**
   * Run before the scheduled report: pull the shops whose listings are not fresh, so the report
   * compares the master with what the shops show now (a failed pull is noted, the report still runs).
   */
  beforeReport?(): Promise<void>;
}

/** The repeat options of the daily report: a cron pattern with an explicit time zone. */
export function reportSchedule(report: ReportDeps['inventory']['report']): { pattern: string; tz: string } {
  return { pattern: dailyPattern(report.time), tz: report.timezone };
}

/**
 * Run one inventory job. The daily report uses the time it was scheduled for (not when a retry
 * happens to run), so a report is always "of" the right day and is made once however often the job
 * is retried or duplicated.
 */
export async function runInventoryJob(deps: InventoryWorkerDeps, job: Pick<Job, 'name' | 'opts'>): Promise<unknown> {
  if (job.name === JOB_CONSISTENCY_REPORT) {
    const fired = typeof job.opts.prevMillis === 'number' ? new Date(job.opts.prevMillis) : undefined;
    await deps.beforeReport?.().catch((err: unknown) => deps.logger.warn({ err: (err as Error).message }, 'listing pull before the report failed; reporting on what is stored'));
    const r = await makeConsistencyReport(deps, { trigger: 'schedule', scheduledFor: fired });
    await deps.cardChanged(r.card.key, r.card.version);
    deps.logger.info({ report: r.report.id, date: r.report.reportDate, checked: r.report.checked, consistent: r.report.consistent, created: r.created }, 'consistency report');
    return { reportId: r.report.id, created: r.created };
  }
  if (job.name === JOB_INVENTORY_SWEEP) {
    const published = await publishDuePriceChanges(deps.prices);
    let cards = 0;
    for (const chat of deps.chats) {
      for (const c of await staleInventoryCards(deps.pool, chat.platform, 15, 200)) {
        await deps.cardChanged(c.key, c.version);
        cards++;
      }
    }
    if (cards > 0) deps.logger.warn({ cards }, 'inventory sweep re-enqueued cards that were missing or behind');
    return { published, cards };
  }
  return 'unknown';
}

/**
 * The inventory queue: the daily consistency report (a job scheduler at report.time in
 * report.timezone — it fires once per day however many copies of the bot run) and a sweep every
 * minute that publishes scheduled price changes and catches up on cards.
 */
export async function startInventoryWorker(deps: InventoryWorkerDeps): Promise<{ queue: Queue; declareSchedules(): Promise<void>; close(): Promise<void> }> {
  const { connection, prefix, logger } = deps;
  const queue = new Queue(QUEUE_INVENTORY, { connection, prefix });
  queue.on('error', (err) => logger.debug({ err: err.message }, 'inventory queue error'));
  const declareSchedules = async () => {
  if (deps.inventory.report.enabled) {
    await queue.upsertJobScheduler(JOB_CONSISTENCY_REPORT, reportSchedule(deps.inventory.report), {
      name: JOB_CONSISTENCY_REPORT,
      opts: { attempts: 5, backoff: { type: 'exponential', delay: 10_000 }, removeOnComplete: 100, removeOnFail: 100 },
    });
  } else {
    await queue.removeJobScheduler(JOB_CONSISTENCY_REPORT);
  }
  await queue.upsertJobScheduler(JOB_INVENTORY_SWEEP, { every: (deps.sweepSeconds ?? 60) * 1000 }, {
    name: JOB_INVENTORY_SWEEP, opts: { removeOnComplete: true, removeOnFail: 50 },
  });
  };
  await declareSchedules();
  const worker = new Worker(QUEUE_INVENTORY, (job) => runInventoryJob(deps, job), { connection, prefix, concurrency: 1 });
  worker.on('error', (err) => logger.warn({ err: err.message }, 'inventory worker error'));
  worker.on('failed', (job, err) => logger.error({ jobId: job?.id, name: job?.name, err: err.message }, 'inventory job failed'));
  return {
    queue,
    declareSchedules,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
