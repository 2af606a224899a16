import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { checkBacklog, type BacklogDeps } from '../actions/check-backlog';

export const QUEUE_BACKLOG = 'backlog';
export const JOB_BACKLOG_CHECK = 'backlog.check';

export interface BacklogWorkerDeps extends BacklogDeps {
  connection: Redis;
  prefix: string;
  logger: Logger;
  /** Re-render a backlog card after its alert changed. */
  cardChanged(key: string, version: number): Promise<void>;
}

/**
 * The backlog check on its own queue, driven by a job scheduler: it fires once per interval however
 * many copies of the bot run.
 */
export async function startBacklogWorker(deps: BacklogWorkerDeps): Promise<{ declareSchedules(): Promise<void>; close(): Promise<void> }> {
  const { connection, prefix, logger } = deps;
  const queue = new Queue(QUEUE_BACKLOG, { connection, prefix });
  queue.on('error', (err) => logger.debug({ err: err.message }, 'backlog queue error'));
  const declareSchedules = async () => {
    if (deps.backlog.enabled) {
      await queue.upsertJobScheduler(JOB_BACKLOG_CHECK, { every: deps.backlog.intervalSeconds * 1000 }, { name: JOB_BACKLOG_CHECK });
    } else {
      await queue.removeJobScheduler(JOB_BACKLOG_CHECK);
    }
  };
  await declareSchedules();
  const worker = new Worker(
    QUEUE_BACKLOG,
    async () => {
      const changed = await checkBacklog(deps);
      for (const c of changed) await deps.cardChanged(`backlog:${c.id}`, c.version);
      return changed.length;
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('error', (err) => logger.warn({ err: err.message }, 'backlog worker error'));
  worker.on('failed', (job, err) => logger.error({ jobId: job?.id, err: err.message }, 'backlog check failed'));
  return {
    declareSchedules,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
