import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { reconcileScheduled, type ReconcileDeps } from '../actions/reconcile-shop';
import { staleReconcileCards } from '../actions/reconcile-store';
import type { ChatPort } from '../domain/ports';
import type { ShopSettings } from '../domain/reconcile/shop';

export const QUEUE_RECONCILE = 'reconcile';
export const JOB_RECONCILE_SHOP = 'reconcile.shop';
/** One job scheduler per shop: `reconcile:<shopId>`. */
export const reconcileSchedulerId = (shopId: string): string => `reconcile:${shopId}`;

export interface ReconcileJob {
  shopId: string;
}

export interface ReconcileWorkerDeps extends Omit<ReconcileDeps, 'onProgress' | 'via'> {
  connection: Redis;
  prefix: string;
  shops: ShopSettings[];
  /** For the card sweep: a reconcile card whose job was lost (Redis away) is re-enqueued. */
  chats: ChatPort[];
  cardChanged(key: string, version: number): Promise<void>;
}

/**
 * Each shop's reconcile on the `reconcile` queue, driven by one job scheduler per shop (`every`
 * from its config): it fires once per interval however many copies of the bot run, and the run
 * itself holds a per-shop lock. Shops without credentials are reported and left unscheduled;
 * schedulers of shops no longer configured (or disabled) are removed.
 */
export async function startReconcileWorker(deps: ReconcileWorkerDeps): Promise<{ declareSchedules(): Promise<void>; close(): Promise<void> }> {
  const { connection, prefix, logger } = deps;
  const queue = new Queue<ReconcileJob>(QUEUE_RECONCILE, { connection, prefix });
  queue.on('error', (err) => logger.debug({ err: err.message }, 'reconcile queue error'));

  const declareSchedules = async () => {
  const wanted = new Set<string>();
  for (const shop of deps.shops) {
    if (!shop.reconcile.enabled) continue;
    const usable = deps.pullers(shop);
    if (!usable.ok) {
      logger.warn({ shop: shop.id, source: shop.source }, `reconcile is not scheduled: ${usable.reason}`);
      continue;
    }
    wanted.add(reconcileSchedulerId(shop.id));
    await queue.upsertJobScheduler(
      reconcileSchedulerId(shop.id),
      { every: shop.reconcile.everyMinutes * 60_000 },
      // A run records its own failure and the next one resumes it: BullMQ retries would only repeat it.
      { name: JOB_RECONCILE_SHOP, data: { shopId: shop.id }, opts: { attempts: 1, removeOnComplete: 100, removeOnFail: 100 } },
    );
  }
  for (const s of await queue.getJobSchedulers()) {
    const id = s.key;
    if (id.startsWith('reconcile:') && !wanted.has(id)) await queue.removeJobScheduler(id);
  }
  };
  await declareSchedules();

  const worker = new Worker<ReconcileJob>(
    QUEUE_RECONCILE,
    async (job) => {
      const shop = deps.shops.find((s) => s.id === job.data.shopId);
      if (!shop || !shop.reconcile.enabled) return { skipped: `shop "${job.data.shopId}" is not configured for reconcile` };
      const outcome = await reconcileScheduled({ ...deps, via: 'worker' }, shop);
      await sweepReconcileCards(deps).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'reconcile card sweep failed'));
      if (!outcome.ok) {
        logger.warn({ shop: shop.id, reason: outcome.reason }, 'scheduled reconcile not run');
        return { skipped: outcome.reason };
      }
      const { runId, complete, figures } = outcome.run;
      return { runId, complete, ...figures };
    },
    // One shop at a time per copy: pulls are paced by the platforms' quotas, not by our CPU.
    { connection, prefix, concurrency: 1 },
  );
  worker.on('error', (err) => logger.warn({ err: err.message }, 'reconcile worker error'));
  worker.on('failed', (job, err) => logger.error({ jobId: job?.id, shop: job?.data.shopId, err: err.message }, 'reconcile run failed'));
  return {
    declareSchedules,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}

/** Reconcile cards missing or behind on a chat platform (a card job lost while Redis was away). */
export async function sweepReconcileCards(deps: Pick<ReconcileWorkerDeps, 'pool' | 'chats' | 'cardChanged'>): Promise<number> {
  let n = 0;
  for (const chat of deps.chats) {
    for (const c of await staleReconcileCards(deps.pool, chat.platform, 15, 100)) {
      await deps.cardChanged(`reconcile:${c.id}`, c.version);
      n++;
    }
  }
  return n;
}
