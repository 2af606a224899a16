import IORedis, { type Redis } from 'ioredis';

/**
 * Producers fail fast when Redis is away (the order is already safe in Postgres and the sweeper
 * re-enqueues it); workers wait and reconnect forever, as BullMQ requires.
 */
export function producerConnection(url: string): Redis {
  const r = new IORedis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  r.on('error', () => undefined); // reconnects on its own; failures surface on each call
  return r;
}

/** Resolves when the connection is ready, or after `ms` (Redis may be down; callers carry on). */
export function whenReady(r: Redis, ms: number): Promise<boolean> {
  if (r.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      r.off('ready', onReady);
      resolve(false);
    }, ms);
    timer.unref();
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    r.once('ready', onReady);
  });
}

export function workerConnection(url: string): Redis {
  const r = new IORedis(url, { maxRetriesPerRequest: null });
  r.on('error', () => undefined);
  return r;
}

/** Production advice only: this machine's Redis keeps nothing on disk and the bot still runs. */
export async function redisDurabilityWarnings(r: Redis): Promise<string[]> {
  const warnings: string[] = [];
  try {
    const aof = (await r.config('GET', 'appendonly')) as string[];
    const policy = (await r.config('GET', 'maxmemory-policy')) as string[];
    if (aof[1] !== 'yes') warnings.push('Redis appendonly is off: queued triggers vanish on a Redis restart (the sweeper recovers them from Postgres). Use appendonly yes in production.');
    if (policy[1] !== 'noeviction') warnings.push(`Redis maxmemory-policy is ${policy[1]}: BullMQ needs noeviction in production.`);
  } catch {
    // CONFIG may be disabled on managed Redis; nothing to advise then.
  }
  return warnings;
}
