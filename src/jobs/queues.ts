import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ProcessingTrigger } from '../actions/ingest-orders';

export const QUEUE_ORDERS = 'orders';
export const QUEUE_MAINTENANCE = 'maintenance';
export const JOB_ORDER_PROCESS = 'order.process';
export const JOB_ORDERS_SWEEP = 'orders.sweep';

/** Deterministic: enqueueing the same revision twice is a no-op while the first job exists. */
export const orderJobId = (id: number, revision: number): string => `order:${id}:${revision}`;

export const JOB_ORDER_BATCH = 'order.process-batch';

/** One order (`orderId`), or every order one group commit wrote (`orders`). */
export interface OrderJobData {
  orderId?: number;
  revision?: number;
  orders?: { id: number; revision: number }[];
}

export const ORDER_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  // A failed job keeps its id for 10 minutes (so the sweeper cannot hammer a poison order), then
  // the sweeper tries again.
  removeOnFail: { age: 600 },
} as const;

export function createOrderQueue(connection: Redis, prefix: string): Queue<OrderJobData> {
  return new Queue<OrderJobData>(QUEUE_ORDERS, { connection, prefix });
}

/**
 * Worker options for short, idempotent jobs (processing an order, syncing a card, an SLA step): a
 * worker killed mid-job leaves its job "stalled"; notice that within seconds instead of the default
 * 30 s, and let a crash loop stall it several times before BullMQ gives up on it.
 */
export const QUICK_JOB_WORKER = { lockDuration: 15_000, stalledInterval: 5_000, maxStalledCount: 5 } as const;

/** Up to this many orders ride in one job: one Redis write per group commit, not one per order. */
export const ORDERS_PER_JOB = 100;

export function queueTrigger(queue: Queue<OrderJobData>): ProcessingTrigger {
  return {
    async enqueue(refs) {
      if (refs.length === 1) {
        const r = refs[0]!;
        await queue.add(JOB_ORDER_PROCESS, { orderId: r.id, revision: r.revision }, { ...ORDER_JOB_OPTIONS, jobId: orderJobId(r.id, r.revision) });
        return;
      }
      const jobs = [];
      for (let i = 0; i < refs.length; i += ORDERS_PER_JOB) {
        const orders = refs.slice(i, i + ORDERS_PER_JOB);
        // Each (order, revision) is written by exactly one flush, so its first one names the batch.
        jobs.push({
          name: JOB_ORDER_BATCH,
          data: { orders },
          opts: { ...ORDER_JOB_OPTIONS, jobId: `obatch:${orders[0]!.id}-${orders[0]!.revision}:${orders.length}` },
        });
      }
      await queue.addBulk(jobs);
    },
    async sweep(refs) {
      const ids = refs.map((r) => orderJobId(r.id, r.revision));
      await queue.addBulk(refs.map((r, i) => ({
        name: JOB_ORDER_PROCESS, data: { orderId: r.id, revision: r.revision }, opts: { ...ORDER_JOB_OPTIONS, jobId: ids[i] },
      })));
      // An existing job keeps the add from doing anything: if it failed by stalling, run it again.
      const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
      for (const job of jobs) {
        if (job && /stalled/i.test(job.failedReason ?? '') && (await job.isFailed())) await job.retry('failed');
      }
    },
  };
}
