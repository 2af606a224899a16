import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { fetchOrderDetail, type DetailDeps } from '../actions/fetch-detail';
import { PlatformApiError } from '../integrations/platforms/common/http-client';

export const QUEUE_DETAILS = 'details';
export const JOB_FETCH_DETAIL = 'order.fetch-detail';

export interface DetailJob {
  orderId: number;
}

export interface DetailWorkerDeps extends DetailDeps {
  connection: Redis;
  prefix: string;
  logger: Logger;
}

/**
 * Detail fetches after thin pushes, on their own queue: a few at a time and at most 10 calls a
 * second per process (the platforms' per-app QPS quotas), retried with backoff while the platform
 * says a retry can help. A fetch that cannot succeed is logged and left to reconciliation, which
 * pulls the same orders whole on its schedule: nothing is lost either way.
 */
export function startDetailWorker(deps: DetailWorkerDeps): { queue: Queue<DetailJob>; close(): Promise<void> } {
  const { connection, prefix, logger } = deps;
  const queue = new Queue<DetailJob>(QUEUE_DETAILS, { connection, prefix });
  queue.on('error', (err) => logger.debug({ err: err.message }, 'details queue error'));
  const worker = new Worker<DetailJob>(
    QUEUE_DETAILS,
    async (job) => {
      try {
        const out = await fetchOrderDetail(deps, job.data.orderId);
        if (out.outcome === 'cannot') logger.warn({ orderId: job.data.orderId, reason: out.reason }, 'order detail not fetched; reconciliation will fill it');
        return out;
      } catch (e) {
        if (e instanceof PlatformApiError && !e.retryable) {
          logger.warn({ orderId: job.data.orderId, err: e.message }, 'order detail refused by the platform; reconciliation will fill it');
          return { outcome: 'cannot', reason: e.message };
        }
        throw e;
      }
    },
    { connection, prefix, concurrency: 2, limiter: { max: 10, duration: 1000 } },
  );
  worker.on('error', (err) => logger.warn({ err: err.message }, 'details worker error'));
  worker.on('failed', (job, err) => logger.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'order detail fetch failed'));
  return { queue, close: async () => void (await Promise.all([worker.close(), queue.close()])) };
}

/** One fetch per thin revision (`detail:<order>:<revision>`): a redelivered push adds nothing. */
export async function enqueueDetail(queue: Queue<DetailJob>, orderId: number, revision: number): Promise<void> {
  await queue.add(JOB_FETCH_DETAIL, { orderId }, {
    jobId: `detail:${orderId}:${revision}`,
    attempts: 6,
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: true,
    removeOnFail: { age: 24 * 3600 },
  });
}
