import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ProcessingTrigger } from '../actions/ingest-orders';

export const QUEUE_ORDERS = 'orders';
export const QUEUE_MAINTENANCE = 'maintenance';
export const JOB_ORDER_PROCESS = 'order.process';
export const JOB_ORDERS_SWEEP = 'orders.sweep';

/** Deterministic: enqueueing the same revision twice is a no-op while the first job exists. */
export const orderJobId = (id: number, revision: number): string => `order:${id}:${revision}`;

export interface OrderJobData {
  orderId: number;
  revision: number;
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

export function queueTrigger(queue: Queue<OrderJobData>): ProcessingTrigger {
  return {
    async enqueue(refs) {
      await queue.addBulk(
        refs.map((r) => ({
          name: JOB_ORDER_PROCESS,
          data: { orderId: r.id, revision: r.revision },
          opts: { ...ORDER_JOB_OPTIONS, jobId: orderJobId(r.id, r.revision) },
        })),
      );
    },
  };
}
