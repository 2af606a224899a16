import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { drainMessageQueue, type QueueDeps } from '../actions/take-shop-messages';

export const QUEUE_PLATFORM_MESSAGES = 'platform-messages';
export const JOB_TMC_CONSUME = 'taobao.tmc.consume';
const SCHEDULER_ID = 'tmc:consume';

export interface TmcWorkerDeps extends QueueDeps {
  connection: Redis;
  prefix: string;
  logger: Logger;
  pollSeconds: number;
}

/**
 * Taobao's messages, polled: one job scheduler fires every `pollSeconds` however many copies of
 * the bot run, and the worker takes one round at a time (concurrency 1 per process; a message is
 * confirmed only after its order is stored, so two rounds in two processes at worst store twice
 * what dedupe folds into one).
 */
export async function startTmcWorker(deps: TmcWorkerDeps): Promise<{ declareSchedules(): Promise<void>; close(): Promise<void> }> {
  const { connection, prefix, logger } = deps;
  const queue = new Queue(QUEUE_PLATFORM_MESSAGES, { connection, prefix });
  queue.on('error', (err) => logger.debug({ err: err.message }, 'platform-messages queue error'));
  const declareSchedules = async () => {
    await queue.upsertJobScheduler(SCHEDULER_ID, { every: deps.pollSeconds * 1000 }, {
      name: JOB_TMC_CONSUME, opts: { attempts: 1, removeOnComplete: 50, removeOnFail: 50 },
    });
  };
  await declareSchedules();
  const worker = new Worker(
    QUEUE_PLATFORM_MESSAGES,
    async (job) => {
      if (job.name !== JOB_TMC_CONSUME) return 'unknown';
      const round = await drainMessageQueue(deps);
      if (round.consumed > 0) logger.info(round, 'Taobao TMC messages taken');
      return round;
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('error', (err) => logger.warn({ err: err.message }, 'platform-messages worker error'));
  worker.on('failed', (job, err) => logger.warn({ jobId: job?.id, err: err.message }, 'Taobao TMC round failed; unconfirmed messages come back'));
  return { declareSchedules, close: async () => void (await Promise.all([worker.close(), queue.close()])) };
}
