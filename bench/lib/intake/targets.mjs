// Each target of the run: the bare servers, the bot (clean and under a poison storm), and COPY.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import IORedis from 'ioredis';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { withPg } from '../checks.mjs';
import { startProcess } from '../children.mjs';
import { ROW_COLUMNS, copyLine, orderBody, orderRow } from '../orders.mjs';
import { loadPhases } from './load.mjs';
import { SQL_POISON_CONSTRAINT, stormBodies } from './poison.mjs';
import { startBare, startBot } from './servers.mjs';
import { verifyStored } from './verify.mjs';

export const BOT_DB = 'orderops_bench';
export const FLOOR_DB = 'orderops_bench_floor';

const round = (n, d = 0) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : n);

export async function dropDatabase(o, name) {
  await withPg(o.dbUrl('postgres'), (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
}

/** Delete the BullMQ keys under `prefix` (a pattern: `orderops-bench-*` clears earlier runs too). */
export async function cleanRedisPrefix(o, prefix) {
  const r = new IORedis(o.redisUrl, { maxRetriesPerRequest: 1 });
  let removed = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) removed += await r.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
  return removed;
}

/** The floor database: the bot's own migrations make `orders`; the bench tables copy its schema. */
export async function prepareFloorDb(o) {
  await dropDatabase(o, FLOOR_DB);
  const mig = startProcess(process.execPath, ['bin/orderops.js', 'migrate'], {
    cwd: o.root, env: { ...process.env, DATABASE_URL: o.dbUrl(FLOOR_DB), LOG_LEVEL: 'warn' }, logPath: path.join(o.outDir, 'migrate-floor.log'),
  });
  const { code } = await mig.exited;
  if (code !== 0) throw new Error(`migrating ${FLOOR_DB} failed:\n${mig.tail()}`);
  await withPg(o.dbUrl(FLOOR_DB), async (c) => {
    await c.query('CREATE TABLE bench_floor (LIKE orders INCLUDING ALL)');
    await c.query('CREATE TABLE bench_copy (LIKE orders INCLUDING ALL)');
  });
}

/** R_http or R_floor: the bare node:http server, without or with one INSERT per request. */
export async function benchBare(o, mode) {
  const label = mode === 'http' ? 'http' : 'floor';
  const extra = mode === 'floor' ? ['--db', o.dbUrl(FLOOR_DB), '--table', 'bench_floor', '--pool', String(o.floorPool)] : [];
  const server = await startBare(o, mode, extra);
  try {
    const { load, cpu, acked } = await loadPhases(o, server, label, mode === 'floor' ? FLOOR_DB : undefined);
    const rssMb = server.peakRssMb();
    await server.stop();
    const integrity = mode === 'floor' ? await verifyStored(o.dbUrl(FLOOR_DB), 'bench_floor', acked) : undefined;
    return { ...load, rssMb, cpu, integrity };
  } finally {
    await server.stop(5000);
  }
}

/**
 * R_ours: the real bot in `role` on a fresh database. With `poison`, one request in
 * `o.poisonEvery` is a poison order (poison.mjs) and the bot's database refuses the `sql` kind.
 */
export async function benchBot(o, role, { poison = false } = {}) {
  await dropDatabase(o, BOT_DB);
  const label = poison ? 'ours-poison' : `ours-${role}`;
  const prefix = `orderops-bench-${process.pid}-${label}`;
  await cleanRedisPrefix(o, prefix);
  const bot = await startBot(o, { role, db: BOT_DB, prefix, label: poison ? `bot-${role}-poison` : `bot-${role}` });
  try {
    if (poison && o.poisonKinds.includes('sql')) await withPg(o.dbUrl(BOT_DB), (c) => c.query(SQL_POISON_CONSTRAINT));
    const bodies = poison ? stormBodies(o.poisonEvery, o.poisonKinds) : undefined;
    const { load, cpu, acked } = await loadPhases(o, bot, label, BOT_DB, bodies);
    const rssMb = bot.peakRssMb();
    // How far processing (rules, exceptions) trails intake when the load stops.
    const backlog = await withPg(o.dbUrl(BOT_DB), (c) =>
      c.query('SELECT count(*) FILTER (WHERE processed_revision < revision)::int AS unprocessed, count(*)::int AS total FROM orders'),
    ).then((r) => r.rows[0]);
    const batches = await scrapeBatchMetrics(bot.port);
    const rejected = poison ? await withPg(o.dbUrl(BOT_DB), (c) => c.query('SELECT reason, count(*)::int AS n FROM rejected_payloads GROUP BY reason ORDER BY reason')).then((r) => r.rows) : undefined;
    const stopped = await bot.stop();
    const integrity = await verifyStored(o.dbUrl(BOT_DB), 'orders', acked);
    return { ...load, rssMb, cpu, integrity, unprocessedAtEnd: backlog.unprocessed, batches, exit: stopped, ...(rejected ? { rejected } : {}) };
  } finally {
    await bot.stop(5000);
    await cleanRedisPrefix(o, prefix).catch(() => undefined);
  }
}

/** Mean group-commit batch size and flush time, and the isolations, from the bot's own Prometheus metrics. */
async function scrapeBatchMetrics(port) {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const sample = (name) => {
      const all = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))];
      return all.length ? all.reduce((a, m) => a + Number(m[1]), 0) : NaN;
    };
    const bsSum = sample('orderops_intake_batch_size_sum');
    const bsCount = sample('orderops_intake_batch_size_count');
    const flSum = sample('orderops_intake_flush_seconds_sum');
    const flCount = sample('orderops_intake_flush_seconds_count');
    return {
      flushes: bsCount,
      enqueueFailures: sample('orderops_intake_enqueue_failures_total'),
      isolations: sample('orderops_intake_isolations_total') || 0, // a counter not yet incremented has no series
      refusedByPostgres: sample('orderops_intake_refused_total') || 0,
      meanBatch: round(bsSum / bsCount, 1),
      meanFlushMs: round((1000 * flSum) / flCount, 2),
    };
  } catch {
    return undefined;
  }
}

/** R_copy: COPY of `rows` rows built from the same bodies, into bench_copy and into `orders`. */
export async function benchCopy(o, rows) {
  const url = o.dbUrl(FLOOR_DB);
  const out = {};
  for (const table of ['bench_copy', 'orders']) {
    const idPrefix = `B${o.runId}-copy-${table}-`;
    const started = performance.now();
    const copied = await withPg(url, async (c) => {
      const stream = c.query(copyStreams.from(`COPY ${table} (${ROW_COLUMNS.join(', ')}) FROM STDIN`));
      await pipeline(Readable.from(copyChunks(idPrefix, rows)), stream);
      return stream.rowCount;
    });
    const seconds = (performance.now() - started) / 1000;
    const stored = await withPg(url, (c) => c.query(`SELECT count(*)::int AS n FROM ${table} WHERE external_id LIKE $1`, [`${idPrefix}%`])).then((r) => r.rows[0].n);
    out[table] = { rows, copied: Number(copied), stored, seconds: round(seconds, 2), rowsPerSec: rows / seconds, ok: stored === rows };
  }
  return out;
}

function* copyChunks(idPrefix, rows) {
  const CHUNK = 1000;
  for (let i = 0; i < rows; i += CHUNK) {
    let s = '';
    for (let j = i; j < Math.min(rows, i + CHUNK); j++) {
      const body = orderBody(idPrefix + j);
      s += copyLine(orderRow(JSON.parse(body), body));
    }
    yield s;
  }
}
