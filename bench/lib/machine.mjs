// Facts about the machine a bench ran on (the same fields bench/intake.mjs prints), and a digest
// of the code measured (the working tree has no git metadata to name a commit by).
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import pg from 'pg';
import { loadAverage } from './proc.mjs';

const round = (n, d = 0) => Math.round(n * 10 ** d) / 10 ** d;

export async function machineFacts({ pgUrl, redisUrl }) {
  const cpuModel = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  const c = new pg.Client({ connectionString: pgUrl });
  let postgres;
  let postgresSettings = {};
  try {
    await c.connect();
    postgres = (await c.query('SHOW server_version')).rows[0].server_version;
    for (const k of ['synchronous_commit', 'fsync', 'shared_buffers', 'max_connections', 'wal_level']) postgresSettings[k] = (await c.query(`SHOW ${k}`)).rows[0][k];
  } finally {
    await c.end().catch(() => undefined);
  }
  const r = new IORedis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let redis;
  try {
    await r.connect();
    redis = /redis_version:(\S+)/.exec(await r.info('server'))?.[1];
  } finally {
    r.disconnect();
  }
  return {
    cores: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel,
    memGiB: round(os.totalmem() / 2 ** 30, 1),
    kernel: os.release(),
    node: process.version,
    postgres,
    postgresSettings,
    redis,
  };
}

export function machineLine(m) {
  return `${m.cores} cores ${m.cpuModel}, ${m.memGiB} GiB, kernel ${m.kernel}; Node ${m.node}, Postgres ${m.postgres} (fsync=${m.postgresSettings.fsync}, synchronous_commit=${m.postgresSettings.synchronous_commit}), Redis ${m.redis}`;
}

/** sha256 prefixes of all of src/ and of the files a bench exercises most. */
export function codeDigest(root, hotFiles = []) {
  const files = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (f.endsWith('.ts')) files.push(f);
    }
  };
  walk(path.join(root, 'src'));
  files.sort();
  const digest = (list) => {
    const h = createHash('sha256');
    for (const f of list) {
      try {
        h.update(path.relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
      } catch {
        // a file named in hotFiles that does not exist
      }
    }
    return h.digest('hex').slice(0, 12);
  };
  return { src: digest(files), hotPath: digest(hotFiles.map((f) => path.join(root, f))), hotPathFiles: hotFiles };
}

export { loadAverage };
