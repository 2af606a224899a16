import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { dailyPattern } from '../domain/inventory/schedule';
import { minutesBefore, type ShopSyncSettings } from '../domain/shop/settings';
import type { InventorySettings } from '../domain/inventory/types';
import { pullAllListings, type ListingPullDeps } from '../actions/shop/pull-listings';

export const QUEUE_LISTINGS = 'listings';
export const JOB_LISTINGS_PULL = 'listings.pull';
export const JOB_LISTINGS_PRE_REPORT = 'listings.pre-report';

export interface ListingWorkerDeps extends ListingPullDeps {
  connection: Redis;
  prefix: string;
  logger: Logger;
  sync: ShopSyncSettings;
  report: InventorySettings['report'];
}

/**
 * Listing pulls on their own queue (a pull of a large shop takes minutes; it must not hold up the
 * push dispatcher): every `listings.every_minutes`, and `before_report_minutes` before the daily
 * report in the report's time zone — job schedulers, so once per schedule however many copies run.
 */
export async function startListingWorker(deps: ListingWorkerDeps): Promise<{ declareSchedules(): Promise<void>; close(): Promise<void> }> {
  const { connection, prefix, logger } = deps;
  const queue = new Queue(QUEUE_LISTINGS, { connection, prefix });
  queue.on('error', (err) => logger.debug({ err: err.message }, 'listings queue error'));
  const declareSchedules = async () => {
    if (!deps.sync.listings.enabled || deps.shops.length === 0) {
      await queue.removeJobScheduler(JOB_LISTINGS_PULL);
      await queue.removeJobScheduler(JOB_LISTINGS_PRE_REPORT);
      return;
    }
    await queue.upsertJobScheduler(JOB_LISTINGS_PULL, { every: deps.sync.listings.everyMinutes * 60_000 }, {
      name: JOB_LISTINGS_PULL, opts: { removeOnComplete: 50, removeOnFail: 50 },
    });
    if (deps.report.enabled) {
      await queue.upsertJobScheduler(JOB_LISTINGS_PRE_REPORT, {
        pattern: dailyPattern(minutesBefore(deps.report.time, deps.sync.listings.beforeReportMinutes)), tz: deps.report.timezone,
      }, { name: JOB_LISTINGS_PRE_REPORT, opts: { removeOnComplete: 50, removeOnFail: 50 } });
    } else {
      await queue.removeJobScheduler(JOB_LISTINGS_PRE_REPORT);
    }
  };
  await declareSchedules();
  const worker = new Worker(QUEUE_LISTINGS, async (job) => {
    const r = await pullAllListings(deps, { trigger: job.name === JOB_LISTINGS_PRE_REPORT ? 'pre-report' : 'schedule' });
    return r.map((s) => ({ shop: s.shop, status: s.status, listings: s.listings }));
  }, { connection, prefix, concurrency: 1, lockDuration: 120_000 });
  worker.on('error', (err) => logger.warn({ err: err.message }, 'listings worker error'));
  worker.on('failed', (job, err) => logger.error({ jobId: job?.id, err: err.message }, 'listing pull job failed'));
  return {
    declareSchedules,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
