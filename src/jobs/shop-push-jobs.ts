import { createHash } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { PUSH_PLATFORMS, type PushPlatform } from '../domain/shop/settings';
import { sendPricePush } from '../actions/shop/price-pushes';
import { sendStockPush } from '../actions/shop/stock-pushes';
import type { PushRef, SendDeps, SendOutcome } from '../actions/shop/push-deps';
import { QUICK_JOB_WORKER } from './queues';
import { dirtySkus, expandStockMarks, openPricePushes, takeDirtyStock } from '../db/shop-pushes';
import { effectivePoolRows, settleUnchangedStock } from '../db/inventory-report';
import { pendingWebhookChanges, skipWebhookChanges } from '../db/order-changes';
import { sendOrderChange, type OrderWebhookDeps } from '../actions/shop/order-webhook';

/**
 * One queue per platform (`shop-push-douyin` …), so each platform's configured rate is a BullMQ
 * limiter kept in Redis and shared by every copy of the bot. Price and stock pushes of a platform
 * share its budget; a throttled answer pauses the whole queue for as long as the platform asked.
 */
export const pushQueueName = (platform: string): string => `shop-push-${platform}`;
export const QUEUE_SHOP_SYNC = 'shop-sync';
export const JOB_PUSH_DISPATCH = 'push.dispatch';

export type PushJobData =
  | { kind: 'price'; id: number; round: number }
  | { kind: 'stock'; sku: string; platform: string; shop: string }
  | { kind: 'order'; id: number };

/** Deterministic ids (three parts): the same push of the same round, or the same dirty mark, is one job. */
export function pushJobId(ref: PushRef): string {
  if (ref.kind === 'price') return `price:${ref.id}:${ref.round}`;
  if (ref.kind === 'order') return `order-change:${ref.id}:0`;
  const key = createHash('sha1').update(`${ref.platform}\u0000${ref.shop}\u0000${ref.sku}`).digest('hex').slice(0, 20);
  return `stock:${key}:${ref.dirtyAt.getTime()}`;
}

const JOB_OPTS = {
  // The outbox row counts attempts and decides when to give up; the job only carries them.
  attempts: 1000,
  backoff: { type: 'exponential' as const, delay: 2000 },
  removeOnComplete: true,
  removeOnFail: true,
};

export interface PushQueues {
  queues: Map<string, Queue<PushJobData>>;
  enqueue(refs: PushRef[]): Promise<void>;
  /** Run the dispatcher now (a pool set from chat pushes at once, not at the next tick). */
  dispatchNow(): Promise<void>;
  close(): Promise<void>;
}

export function createPushQueues(connection: Redis, prefix: string, logger: Logger): PushQueues {
  const queues = new Map<string, Queue<PushJobData>>();
  for (const p of PUSH_PLATFORMS) {
    const q = new Queue<PushJobData>(pushQueueName(p), { connection, prefix });
    q.on('error', (err) => logger.debug({ err: err.message, platform: p }, 'push queue error'));
    queues.set(p, q);
  }
  const sync = new Queue(QUEUE_SHOP_SYNC, { connection, prefix });
  sync.on('error', (err) => logger.debug({ err: err.message }, 'shop-sync queue error'));
  return {
    queues,
    async dispatchNow() {
      // One extra run per half second at most, however many asks arrive.
      await sync.add(JOB_PUSH_DISPATCH, {}, { jobId: `dispatch-now-${Math.floor(Date.now() / 500)}`, removeOnComplete: true, removeOnFail: true });
    },
    async enqueue(refs) {
      const by = new Map<string, { name: string; data: PushJobData; opts: typeof JOB_OPTS & { jobId: string } }[]>();
      for (const r of refs) {
        const platform = r.platform;
        if (!queues.has(platform)) continue;
        const data: PushJobData = r.kind === 'price' ? { kind: 'price', id: r.id, round: r.round }
          : r.kind === 'order' ? { kind: 'order', id: r.id } : { kind: 'stock', sku: r.sku, platform: r.platform, shop: r.shop };
        const list = by.get(platform) ?? [];
        list.push({ name: `push.${r.kind}`, data, opts: { ...JOB_OPTS, jobId: pushJobId(r) } });
        by.set(platform, list);
      }
      await Promise.all([...by].map(([p, jobs]) => queues.get(p)!.addBulk(jobs)));
    },
    async close() {
      await Promise.all([...queues.values(), sync].map((q) => q.close().catch(() => undefined)));
    },
  };
}

/**
 * A configured rate (calls per second, may be fractional) as a BullMQ limiter: one job per interval,
 * evenly spaced with a 5 % margin, so no second — however a platform counts it — sees more than the
 * rate (a window of `rate` jobs per second lets two windows meet in one second at twice the rate).
 */
export function limiterOf(rate: number): { max: number; duration: number } {
  return { max: 1, duration: Math.ceil(1000 / (rate * 0.95)) };
}

export interface PushWorkerDeps extends SendDeps {
  connection: Redis;
  prefix: string;
  logger: Logger;
  queues: PushQueues;
  /** The seller's webhook takes stock figures. */
  webhookStock: boolean;
  /** The seller's webhook takes order changes (erp_webhook.orders). */
  orders?: OrderWebhookDeps;
  /** Publish scheduled price changes whose time has come (定时发布), at each tick rather than each minute. */
  publishDue?(): Promise<number>;
  concurrency?: number;
}

/**
 * The workers of every platform's queue, and the dispatcher on its own queue: a job scheduler every
 * `stock_coalesce_seconds` (once per interval however many copies run) turns stock marks into
 * listing jobs and re-triggers any price push whose job was lost (a crash, a Redis wipe).
 */
export async function startPushWorkers(deps: PushWorkerDeps): Promise<{ declareSchedules(): Promise<void>; dispatch(): Promise<number>; close(): Promise<void> }> {
  const { connection, prefix, logger } = deps;
  const workers: Worker<PushJobData>[] = [];
  for (const p of PUSH_PLATFORMS) {
    const queue = deps.queues.queues.get(p)!;
    const worker: Worker<PushJobData> = new Worker<PushJobData>(
      pushQueueName(p),
      async (job) => {
        const d = job.data;
        const out: SendOutcome = d.kind === 'price' ? await sendPricePush(deps, d)
          : d.kind === 'order' ? (deps.orders ? await sendOrderChange(deps.orders, d.id) : { status: 'skipped' })
          : await sendStockPush(deps, d);
        if (out.status === 'throttled') {
          // The platform said slow down: hold the whole queue (every copy) and try this job again.
          await queue.rateLimit(out.retryAfterMs);
          throw Worker.RateLimitError();
        }
        if (out.status === 'retry') throw new Error(out.message);
        if (out.status === 'failed') logger.warn({ platform: p, job: job.id, err: out.message }, 'shop push failed; shown on its card');
        return out.status;
      },
      // Short jobs: a worker killed mid-push is noticed within seconds and its job runs again (the lease decides).
      { connection, prefix, concurrency: deps.concurrency ?? 4, limiter: limiterOf(deps.sync.rateLimits[p as PushPlatform]), ...QUICK_JOB_WORKER },
    );
    worker.on('error', (err) => logger.warn({ err: err.message, platform: p }, 'push worker error'));
    workers.push(worker);
  }

  const dispatch = async (): Promise<number> => {
    // A promotion set for 20:00 goes out within one tick of 20:00, to every platform at once.
    await deps.publishDue?.();
    const now = deps.clock.now();
    let n = 0;
    for (;;) {
      const expanded = await expandStockMarks(deps.pool, 2000, deps.webhookStock);
      // Listings already showing their figure need no call (and no job taking the platform's rate).
      const marked = await dirtySkus(deps.pool, 5000);
      if (marked.length > 0) await settleUnchangedStock(deps.pool, await effectivePoolRows(deps.pool, deps.inventory, marked), marked, deps.webhookChannel, now);
      const dirty = await takeDirtyStock(deps.pool, now, 5000, 10 * 60_000);
      if (dirty.length > 0) await deps.queues.enqueue(dirty.map((d) => ({ kind: 'stock' as const, ...d })));
      n += dirty.length;
      if (expanded < 2000 && dirty.length < 5000) break;
    }
    const lost = await openPricePushes(deps.pool, now, 30_000, 1000);
    if (lost.length > 0) await deps.queues.enqueue(lost.map((r) => ({ kind: 'price' as const, ...r })));
    // Order changes for the ERP: queued (deterministic ids, so a re-queue is a no-op), or skipped without a webhook.
    let changes = 0;
    if (deps.orders) {
      const ids = await pendingWebhookChanges(deps.pool, now, 5000);
      if (ids.length > 0) await deps.queues.enqueue(ids.map((id) => ({ kind: 'order' as const, id, platform: 'webhook' as const })));
      changes = ids.length;
    } else {
      await skipWebhookChanges(deps.pool, 5000);
    }
    return n + lost.length + changes;
  };
  const sync = new Queue(QUEUE_SHOP_SYNC, { connection, prefix });
  sync.on('error', (err) => logger.debug({ err: err.message }, 'shop-sync queue error'));
  const declareSchedules = async () => {
    await sync.upsertJobScheduler(JOB_PUSH_DISPATCH, { every: deps.sync.stockCoalesceSeconds * 1000 }, {
      name: JOB_PUSH_DISPATCH, opts: { removeOnComplete: true, removeOnFail: 50 },
    });
  };
  await declareSchedules();
  const dispatcher = new Worker(QUEUE_SHOP_SYNC, async (job) => (job.name === JOB_PUSH_DISPATCH ? dispatch() : 'unknown'), { connection, prefix, concurrency: 1 });
  dispatcher.on('error', (err) => logger.warn({ err: err.message }, 'shop-sync worker error'));
  dispatcher.on('failed', (job, err) => logger.error({ jobId: job?.id, err: err.message }, 'shop-sync job failed'));
  return {
    declareSchedules,
    dispatch,
    async close() {
      await Promise.all([...workers.map((w) => w.close()), dispatcher.close()]);
      await sync.close();
    },
  };
}
