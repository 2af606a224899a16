#!/usr/bin/env node
// `npm run bench:intake` — intake throughput of orderops beside the raw limits of the same machine,
// measured in one run with the same order body, the same table shape and the same load generator
// (autocannon: N connections, no pipelining, a fixed duration). See BENCHMARKS.md.
//
//   R_http   bare node:http: read body, check HMAC, parse JSON, 200                 (bench/lib/bare-server.mjs)
//   R_floor  the same + one INSERT … ON CONFLICT DO NOTHING per request, pg Pool   (the naive design)
//   R_ours   the real bot (`node bin/orderops.js start`, --role all and --role intake), fresh database
//   R_copy   COPY of as many rows (built from the same bodies) into a copy of `orders`
//
// Every acknowledged order is checked to be stored exactly once. Loopback only; child processes are
// stopped on every exit path (Ctrl-C included); a watchdog bounds the whole run.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import IORedis from 'ioredis';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { BENCH_SECRET, ROW_COLUMNS, WEBHOOK_PATH, copyLine, orderBody, orderRow, sign } from './lib/orders.mjs';
import { cpuOfNamed, cpuOfPid, cpuOfPostgres, loadAverage, machineCpu, mainThreadSched, memoryOf } from './lib/proc.mjs';
import { codeDigest } from './lib/machine.mjs';
import { startFlags } from './lib/bot.mjs';
import { summariseProfile, formatProfileSummary } from './cpuprofile-summary.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ALL_TARGETS = ['http', 'floor', 'ours-all', 'ours-intake', 'copy'];
const TARGETS = { ordersPerSec: 5000, p99Ms: 50, floorRatio: 1.0, rssMb: 300 };

const HELP = `npm run bench:intake [-- options]

  --duration S        measured seconds per HTTP target (default 60)
  --warmup S          unmeasured warm-up seconds before each HTTP target (default 5)
  --connections N     concurrent connections, no pipelining (default 50)
  --targets LIST      any of ${ALL_TARGETS.join(',')} (default: all, in that order)
  --copy-rows N       rows for R_copy (default: the most orders any HTTP target stored, at least 10000)
  --floor-pool N      pg Pool size of R_floor (default 20, the bot's pool size)
  --pg-url URL        Postgres server, loopback only (default postgres://127.0.0.1:5432)
  --redis-url URL     Redis, loopback only (default redis://127.0.0.1:6379)
  --bot-config FILE   run the bot with this orderops.yml (ORDEROPS_CONFIG), e.g. to try intake settings
  --bot-node-flag F   extra node flag for the bot (repeatable), e.g. --bot-node-flag=--max-semi-space-size=32
  --cpu-prof          run the bot under node --cpu-prof and summarise the top self-time functions
  --keep-db           keep the bench databases (orderops_bench, orderops_bench_floor) afterwards
  --strict            exit 1 when a target is missed (the run always exits 1 if an order is lost)

Databases orderops_bench and orderops_bench_floor are dropped and recreated. Raw results, bot logs
and profiles go to bench/results/<run>/.`;

const { values: opt } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    targets: { type: 'string', default: ALL_TARGETS.join(',') },
    'copy-rows': { type: 'string' },
    'floor-pool': { type: 'string', default: '20' },
    'pg-url': { type: 'string', default: 'postgres://127.0.0.1:5432' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    'cpu-prof': { type: 'boolean', default: false },
    'bot-config': { type: 'string' },
    'bot-node-flag': { type: 'string', multiple: true, default: [] },
    'keep-db': { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  console.log(HELP);
  process.exit(0);
}
const DURATION = positiveNumber('duration', opt.duration);
const WARMUP = Number(opt.warmup);
const CONNECTIONS = Math.floor(positiveNumber('connections', opt.connections));
const FLOOR_POOL = Math.floor(positiveNumber('floor-pool', opt['floor-pool']));
const targets = opt.targets.split(',').map((t) => t.trim()).filter(Boolean);
for (const t of targets) if (!ALL_TARGETS.includes(t)) fail(`unknown target "${t}"; known: ${ALL_TARGETS.join(', ')}`);
const order = ALL_TARGETS.filter((t) => targets.includes(t));

const PG_BASE = loopbackUrl('pg-url', opt['pg-url'], ['postgres:', 'postgresql:']);
const REDIS_URL = loopbackUrl('redis-url', opt['redis-url'], ['redis:']).toString();
if (!PG_BASE.username) PG_BASE.username = encodeURIComponent(process.env.PGUSER || process.env.USER || os.userInfo().username);
const dbUrl = (name) => {
  const u = new URL(PG_BASE);
  u.pathname = `/${name}`;
  return u.toString();
};
const BOT_DB = 'orderops_bench';
const FLOOR_DB = 'orderops_bench_floor';

const RUN_ID = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
const OUT_DIR = path.join(ROOT, 'bench', 'results', RUN_ID);

// ---------------------------------------------------------------------------------------------
// Children are always stopped: on normal end, on error, on Ctrl-C, and by a watchdog.
const children = new Set();
let currentLoad;
let interrupted = false;
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (interrupted) process.exit(130); // a second Ctrl-C: now (the exit hook kills the children)
    interrupted = true;
    console.error(`\n${sig}: stopping the load and every child process; no figures from this run`);
    currentLoad?.stop();
    const live = [...children];
    for (const c of live) c.kill('SIGTERM');
    Promise.all(live.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', r))))).then(() => process.exit(130));
    setTimeout(() => process.exit(130), 5000);
  });
}
const budgetSec = order.length * (DURATION + WARMUP + 120) + 180;
const watchdog = setTimeout(() => {
  console.error(`bench: over its time budget of ${budgetSec} s; stopping everything`);
  process.exit(3);
}, budgetSec * 1000);
watchdog.unref();

function fail(msg) {
  console.error(`bench:intake: ${msg}`);
  process.exit(2);
}
function positiveNumber(name, v) {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) fail(`--${name} must be a positive number, got "${v}"`);
  return n;
}
function loopbackUrl(name, v, protocols) {
  let u;
  try {
    u = new URL(v);
  } catch {
    fail(`--${name} is not a URL: ${v}`);
  }
  if (!protocols.includes(u.protocol)) fail(`--${name} must start with ${protocols.join(' or ')}//`);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) fail(`--${name} must be on loopback (127.0.0.1); got ${u.hostname}`);
  if (u.hostname === 'localhost') u.hostname = '127.0.0.1';
  return u;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (n, d = 0) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : n);

// ---------------------------------------------------------------------------------------------
// Postgres, Redis and the machine

async function withPg(url, fn) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function dropDatabase(name) {
  await withPg(dbUrl('postgres'), (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
}

/** Which code was measured: a digest of the intake hot path and of all of src/ (the tree has no git here). */
const HOT_PATH = ['src/db/group-commit.ts', 'src/db/order-writes.ts', 'src/actions/ingest-orders.ts', 'src/http/webhooks.ts', 'src/jobs/queues.ts'];

async function machineInfo() {
  const cpuModel = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  const pgInfo = await withPg(dbUrl('postgres'), async (c) => {
    const v = (await c.query('SHOW server_version')).rows[0].server_version;
    const s = {};
    for (const k of ['synchronous_commit', 'fsync', 'shared_buffers', 'max_connections', 'wal_level']) {
      s[k] = (await c.query(`SHOW ${k}`)).rows[0][k];
    }
    return { version: v, settings: s };
  });
  const redis = new IORedis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let redisVersion;
  try {
    await redis.connect();
    redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];
  } finally {
    redis.disconnect();
  }
  const acVersion = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'autocannon', 'package.json'), 'utf8')).version;
  return {
    cores: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel,
    memGiB: round(os.totalmem() / 2 ** 30, 1),
    kernel: os.release(),
    node: process.version,
    postgres: pgInfo.version,
    postgresSettings: pgInfo.settings,
    redis: redisVersion,
    autocannon: acVersion,
  };
}

async function cleanRedisPrefix(prefix) {
  const r = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
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

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Child processes

function startChild(label, args, env, { nodeFlags = [] } = {}) {
  const logPath = path.join(OUT_DIR, `${label}.log`);
  const log = createWriteStream(logPath);
  const child = spawn(process.execPath, [...nodeFlags, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    children.delete(child);
    resolve({ code, signal });
  }));
  exited.then(() => log.end());
  // Peak resident memory: the kernel's high-water mark (VmHWM) read just before stopping, and an
  // RSS poll as a cross-check.
  const mem = { maxRssKb: 0, hwmKb: 0, timelineMb: [] };
  let ticks = 0;
  const poll = setInterval(() => {
    const m = memoryOf(child.pid);
    if (m) {
      mem.maxRssKb = Math.max(mem.maxRssKb, m.rssKb);
      mem.hwmKb = Math.max(mem.hwmKb, m.hwmKb);
      if (ticks++ % 5 === 0) mem.timelineMb.push(round(m.rssKb / 1024)); // one a second
    }
  }, 200);
  exited.then(() => clearInterval(poll));
  const tail = () => {
    try {
      return readFileSync(logPath, 'utf8').split('\n').slice(-30).join('\n');
    } catch {
      return '';
    }
  };
  return {
    child, pid: child.pid, exited, mem, logPath, tail,
    rssNowMb() {
      const m = memoryOf(child.pid);
      return m ? round(m.rssKb / 1024, 1) : NaN;
    },
    peakRssMb() {
      const m = memoryOf(child.pid);
      if (m) mem.hwmKb = Math.max(mem.hwmKb, m.hwmKb);
      return round(Math.max(mem.hwmKb, mem.maxRssKb) / 1024, 1);
    },
    async stop(graceMs = 40_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
}

async function startBare(mode, extra = []) {
  const port = await freePort();
  const c = startChild(`bare-${mode}`, ['bench/lib/bare-server.mjs', '--mode', mode, '--port', String(port), ...extra], process.env);
  await waitHttp(c, `http://127.0.0.1:${port}/`, (s) => s === 404, 15_000);
  return { ...c, port };
}

async function startBot(role, prefix) {
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: dbUrl(BOT_DB),
    REDIS_URL,
    ORDER_WEBHOOK_SECRET: BENCH_SECRET,
    ORDEROPS_API_TOKEN: 'orderops-bench-token',
    ORDEROPS_QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
  };
  delete env.ORDEROPS_CONFIG; // the built-in defaults, as a newcomer runs it, unless --bot-config
  if (opt['bot-config']) env.ORDEROPS_CONFIG = path.resolve(opt['bot-config']);
  const nodeFlags = [...startFlags(ROOT), ...opt['bot-node-flag']]; // as npm start runs it (heap cap), plus any asked for
  if (opt['cpu-prof']) nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${OUT_DIR}`, `--cpu-prof-name=bot-${role}.cpuprofile`);
  const c = startChild(`bot-${role}`, ['bin/orderops.js', 'start', '--role', role], env, { nodeFlags });
  await waitHttp(c, `http://127.0.0.1:${port}/readyz`, (s) => s === 200, 90_000);
  return { ...c, port };
}

async function waitHttp(c, url, ok, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (c.child.exitCode !== null || c.child.signalCode !== null) {
      throw new Error(`${url}: the process exited before it was ready; its log:\n${c.tail()}`);
    }
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      if (ok(r.status)) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await c.stop(2000);
  throw new Error(`${url}: not ready within ${timeoutMs / 1000} s; its log:\n${c.tail()}`);
}

// ---------------------------------------------------------------------------------------------
// Load: autocannon, one unique id and signature per request; 200s are collected with their ids.

function runLoad(port, label, seconds, sink) {
  let seq = 0;
  const idPrefix = `B${RUN_ID}-${label}-`;
  const latencies = [];
  const statuses = {};
  const perSecond = [];
  let notCreated = 0;
  let t0;
  const request = {
    method: 'POST',
    path: WEBHOOK_PATH,
    setupRequest(req, ctx) {
      const id = idPrefix + seq++;
      const body = orderBody(id);
      ctx.id = id;
      ctx.sentAt = performance.now();
      return { ...req, body, headers: { 'content-type': 'application/json', 'x-orderops-signature': sign(body) } };
    },
    onResponse(status, body, ctx) {
      const now = performance.now();
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status !== 200) return;
      sink.push(ctx.id);
      latencies.push(now - ctx.sentAt);
      const sec = Math.floor((now - t0) / 1000);
      perSecond[sec] = (perSecond[sec] ?? 0) + 1;
      if (!body.includes('"result":"created"')) notCreated++;
    },
  };
  return new Promise((resolve, reject) => {
    t0 = performance.now();
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections: CONNECTIONS,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
        requests: [request],
      },
      (err, res) => {
        currentLoad = undefined;
        if (err) return reject(err);
        if (interrupted) return reject(new Error('interrupted'));
        latencies.sort((a, b) => a - b);
        const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] : NaN);
        const full = perSecond.slice(0, Math.floor(res.duration)).map((n) => n ?? 0);
        const acked = latencies.length;
        resolve({
          seconds: res.duration,
          sent: seq,
          acked,
          ordersPerSec: acked / res.duration,
          perSecondMin: full.length ? Math.min(...full) : NaN,
          perSecondMedian: full.length ? [...full].sort((a, b) => a - b)[Math.floor(full.length / 2)] : NaN,
          p50: pct(50),
          p99: pct(99),
          max: latencies[latencies.length - 1] ?? NaN,
          notCreated,
          statuses,
          errors: res.errors,
          timeouts: res.timeouts,
          autocannon: { latencyP50: res.latency.p50, latencyP99: res.latency.p99, latencyMax: res.latency.max, requestsAvg: res.requests.average, non2xx: res.non2xx },
        });
      },
    );
    currentLoad = instance;
  });
}

/** Warm-up (unmeasured, its acks are checked too), then the measured run with CPU accounting. */
async function loadPhases(server, label, db) {
  const acked = [];
  const rssIdleMb = server.rssNowMb();
  if (WARMUP > 0) await runLoad(server.port, `${label}-w`, WARMUP, acked);
  const before = cpuSnapshot(server.pid, db);
  const load = await runLoad(server.port, label, DURATION, acked);
  const cpu = cpuDelta(before, cpuSnapshot(server.pid, db));
  // What the work itself costs, whatever else runs on the machine: all cores divided by the CPU
  // one order takes in the server, Postgres, Redis and the load generator together.
  const perOrderCoreSec = (cpu.server + cpu.postgres + cpu.redis + cpu.generator) / load.ordersPerSec;
  load.ceilingPerSec = (os.availableParallelism?.() ?? os.cpus().length) / perOrderCoreSec;
  load.rssIdleMb = rssIdleMb;
  load.rssEndMb = server.rssNowMb();
  load.rssTimelineMb = server.mem.timelineMb;
  return { load, cpu, acked };
}

function cpuSnapshot(pid, db) {
  return { at: performance.now(), server: cpuOfPid(pid), sched: mainThreadSched(pid), postgres: db ? cpuOfPostgres(db) : 0, redis: cpuOfNamed(['redis-server']), generator: process.cpuUsage(), machine: machineCpu() };
}
/** Cores used during the window (1.0 = one core busy the whole time). */
function cpuDelta(a, b) {
  const wall = (b.at - a.at) / 1000;
  const gen = (b.generator.user + b.generator.system - a.generator.user - a.generator.system) / 1e6;
  const busy = b.machine.busySec - a.machine.busySec;
  const total = b.machine.totalSec - a.machine.totalSec;
  const cores = {
    server: (b.server - a.server) / wall,
    postgres: (b.postgres - a.postgres) / wall,
    redis: (b.redis - a.redis) / wall,
    generator: gen / wall,
    machine: busy / wall, // everything, other sessions' work on this machine included
    machineBusyPct: (100 * busy) / total,
  };
  cores.other = cores.machine - cores.server - cores.postgres - cores.redis - cores.generator;
  if (a.sched && b.sched) {
    // The server's event loop: share of the window on a CPU, and runnable but waiting for a CPU.
    cores.serverLoopOnCpu = (b.sched.onCpuSec - a.sched.onCpuSec) / wall;
    cores.serverLoopWaitingForCpu = (b.sched.waitSec - a.sched.waitSec) / wall;
  }
  for (const k of Object.keys(cores)) cores[k] = round(cores[k], 2);
  return cores;
}

// ---------------------------------------------------------------------------------------------
// Exactly once: every acknowledged id is in the table once; nothing is in it twice.

async function verifyStored(url, table, acked) {
  return withPg(url, async (c) => {
    const distinctAcked = new Set(acked).size;
    let lost = 0;
    let present = 0;
    for (let i = 0; i < acked.length; i += 50_000) {
      const ids = acked.slice(i, i + 50_000);
      const r = await c.query(
        `SELECT count(*)::int AS n, count(t.external_id)::int AS present
           FROM unnest($1::text[]) AS a(id) LEFT JOIN ${table} t ON t.source = 'generic' AND t.external_id = a.id`,
        [ids],
      );
      present += r.rows[0].present;
      lost += r.rows[0].n - r.rows[0].present;
    }
    const dup = await c.query(
      `SELECT count(*)::int AS rows, count(DISTINCT (source, external_id))::int AS keys FROM ${table}`,
    );
    const unique = await c.query(
      `SELECT count(*)::int AS n FROM pg_index i JOIN pg_attribute a1 ON a1.attrelid = i.indrelid AND a1.attnum = i.indkey[0]
         JOIN pg_attribute a2 ON a2.attrelid = i.indrelid AND a2.attnum = i.indkey[1]
        WHERE i.indrelid = $1::regclass AND i.indisunique AND i.indnatts = 2 AND a1.attname = 'source' AND a2.attname = 'external_id'`,
      [table],
    );
    const { rows, keys } = dup.rows[0];
    return {
      acked: acked.length,
      ackedTwice: acked.length - distinctAcked,
      stored: rows,
      lost,
      duplicated: rows - keys,
      uniqueConstraint: unique.rows[0].n > 0,
      // Committed but never acknowledged: requests in flight when the load stopped (the sender
      // would retry them; a retry answers "unchanged").
      storedNotAcked: rows - present,
      ok: lost === 0 && rows === keys && acked.length === distinctAcked && unique.rows[0].n > 0,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Targets

async function prepareFloorDb() {
  await dropDatabase(FLOOR_DB);
  // The bot's own migrations make the real `orders` table; the bench tables copy its schema.
  const mig = startChild('migrate-floor', ['bin/orderops.js', 'migrate'], { ...process.env, DATABASE_URL: dbUrl(FLOOR_DB), LOG_LEVEL: 'warn' });
  const { code } = await mig.exited;
  if (code !== 0) throw new Error(`migrating ${FLOOR_DB} failed:\n${mig.tail()}`);
  await withPg(dbUrl(FLOOR_DB), async (c) => {
    await c.query('CREATE TABLE bench_floor (LIKE orders INCLUDING ALL)');
    await c.query('CREATE TABLE bench_copy (LIKE orders INCLUDING ALL)');
  });
}

async function benchBare(mode) {
  const label = mode === 'http' ? 'http' : 'floor';
  const extra = mode === 'floor' ? ['--db', dbUrl(FLOOR_DB), '--table', 'bench_floor', '--pool', String(FLOOR_POOL)] : [];
  const server = await startBare(mode, extra);
  try {
    const { load, cpu, acked } = await loadPhases(server, label, mode === 'floor' ? FLOOR_DB : undefined);
    const rssMb = server.peakRssMb();
    await server.stop();
    const integrity = mode === 'floor' ? await verifyStored(dbUrl(FLOOR_DB), 'bench_floor', acked) : undefined;
    return { ...load, rssMb, cpu, integrity };
  } finally {
    await server.stop(5000);
  }
}

async function benchBot(role) {
  await dropDatabase(BOT_DB);
  const prefix = `orderops-bench-${process.pid}-${role}`;
  await cleanRedisPrefix(prefix);
  const bot = await startBot(role, prefix);
  try {
    const { load, cpu, acked } = await loadPhases(bot, `ours-${role}`, BOT_DB);
    const rssMb = bot.peakRssMb();
    // How far processing (rules, exceptions) trails intake when the load stops.
    const backlog = await withPg(dbUrl(BOT_DB), (c) =>
      c.query('SELECT count(*) FILTER (WHERE processed_revision < revision)::int AS unprocessed, count(*)::int AS total FROM orders'),
    ).then((r) => r.rows[0]);
    const batches = await scrapeBatchMetrics(bot.port);
    const stopped = await bot.stop();
    const integrity = await verifyStored(dbUrl(BOT_DB), 'orders', acked);
    return { ...load, rssMb, cpu, integrity, unprocessedAtEnd: backlog.unprocessed, batches, exit: stopped };
  } finally {
    await bot.stop(5000);
    await cleanRedisPrefix(prefix).catch(() => undefined);
  }
}

/** Mean group-commit batch size and flush time, from the bot's own Prometheus metrics. */
async function scrapeBatchMetrics(port) {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const sample = (re) => Number(re.exec(text)?.[1] ?? NaN);
    const bsSum = sample(/^orderops_intake_batch_size_sum(?:\{[^}]*\})? (\S+)$/m);
    const bsCount = sample(/^orderops_intake_batch_size_count(?:\{[^}]*\})? (\S+)$/m);
    const flSum = sample(/^orderops_intake_flush_seconds_sum(?:\{[^}]*\})? (\S+)$/m);
    const flCount = sample(/^orderops_intake_flush_seconds_count(?:\{[^}]*\})? (\S+)$/m);
    const enqueueFailures = sample(/^orderops_intake_enqueue_failures_total(?:\{[^}]*\})? (\S+)$/m);
    return { flushes: bsCount, enqueueFailures, meanBatch: round(bsSum / bsCount, 1), meanFlushMs: round((1000 * flSum) / flCount, 2) };
  } catch {
    return undefined;
  }
}

async function benchCopy(rows) {
  const url = dbUrl(FLOOR_DB);
  const out = {};
  for (const table of ['bench_copy', 'orders']) {
    const idPrefix = `B${RUN_ID}-copy-${table}-`;
    const started = performance.now();
    const copied = await withPg(url, async (c) => {
      const stream = c.query(copyStreams.from(`COPY ${table} (${ROW_COLUMNS.join(', ')}) FROM STDIN`));
      await pipeline(Readable.from(copyChunks(idPrefix, rows)), stream);
      return stream.rowCount;
    });
    const seconds = (performance.now() - started) / 1000;
    const stored = await withPg(url, (c) =>
      c.query(`SELECT count(*)::int AS n FROM ${table} WHERE external_id LIKE $1`, [`${idPrefix}%`]),
    ).then((r) => r.rows[0].n);
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

// ---------------------------------------------------------------------------------------------
// Report

function report(res) {
  const t = res.targets;
  const lines = [];
  const p = (...cols) => lines.push(cols.join(' | '));
  lines.push(`\norderops intake bench ${res.run} — ${res.settings.connections} connections, no pipelining, ${res.settings.duration} s per target (+${res.settings.warmup} s warm-up)`);
  lines.push(`machine: ${res.machine.cores} cores ${res.machine.cpuModel}, ${res.machine.memGiB} GiB; Node ${res.machine.node}, Postgres ${res.machine.postgres} (synchronous_commit=${res.machine.postgresSettings.synchronous_commit}, fsync=${res.machine.postgresSettings.fsync}), Redis ${res.machine.redis}; load average before ${res.loadBefore.join(' ')}, after ${res.loadAfter?.join(' ')}`);
  lines.push(`code: src ${res.code.src}, intake hot path ${res.code.hotPath} (sha256 prefixes)`);
  lines.push('');
  p('target', 'orders/s', 'min 1-s', 'p50 ms', 'p99 ms', 'max ms', 'peak RSS MB', 'non-200', 'lost', 'dup', 'cores: server/pg/redis/gen/other = machine', 'CPU µs/order: server/pg/redis/gen', 'CPU-bound ceiling/s');
  p('---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---', '---', '---:');
  const names = { http: 'R_http', floor: 'R_floor', 'ours-all': 'R_ours (role all)', 'ours-intake': 'R_ours (role intake)' };
  for (const k of ['http', 'floor', 'ours-all', 'ours-intake']) {
    const r = t[k];
    if (!r) continue;
    if (r.error) {
      p(names[k], `failed: ${r.error.split('\n')[0]}`);
      continue;
    }
    const non200 = Object.entries(r.statuses).filter(([s]) => s !== '200').reduce((a, [, n]) => a + n, 0) + r.errors + r.timeouts;
    const c = r.cpu;
    p(names[k], round(r.ordersPerSec), r.perSecondMin, round(r.p50, 2), round(r.p99, 2), round(r.max, 1), r.rssMb, non200,
      r.integrity ? r.integrity.lost : '—', r.integrity ? r.integrity.duplicated : '—',
      `${c.server}/${c.postgres}/${c.redis}/${c.generator}/${c.other} = ${c.machine}`,
      [c.server, c.postgres, c.redis, c.generator].map((x) => round((1e6 * x) / r.ordersPerSec)).join('/'),
      round(r.ceilingPerSec));
  }
  if (t.copy && !t.copy.error) {
    for (const [table, c] of Object.entries(t.copy)) {
      p(`R_copy (${table === 'orders' ? 'orders, with history trigger' : 'bench_copy'})`, round(c.rowsPerSec), '', '', '', '', '', '', c.ok ? 0 : c.rows - c.stored, '', `${c.rows} rows in ${c.seconds} s`);
    }
  } else if (t.copy?.error) p('R_copy', `failed: ${t.copy.error.split('\n')[0]}`);
  lines.push('');
  for (const k of ['ours-all', 'ours-intake']) {
    const r = t[k];
    if (!r || r.error) continue;
    const v = res.verdicts[k];
    lines.push(`${names[k]}: ${v.map((x) => (x.target === null ? `${x.name} ${x.value}` : `${x.name} ${x.value} (target ${x.target}) ${x.met ? 'MET' : 'MISSED'}`)).join('; ')}`);
    lines.push(`  stored exactly once: ${r.integrity.ok ? 'yes' : 'NO'} — acked ${r.integrity.acked}, lost ${r.integrity.lost}, duplicated ${r.integrity.duplicated}, committed-not-acked ${r.integrity.storedNotAcked}; unprocessed at end ${r.unprocessedAtEnd}; batches ${r.batches ? `${r.batches.flushes} flushes, mean ${r.batches.meanBatch} orders, ${r.batches.meanFlushMs} ms` : 'n/a'}`);
  }
  const rss = ['http', 'floor', 'ours-all', 'ours-intake'].filter((k) => t[k]?.rssIdleMb !== undefined)
    .map((k) => `${names[k]} ${t[k].rssIdleMb} → ${t[k].rssEndMb} (peak ${t[k].rssMb})`);
  if (rss.length) lines.push(`server RSS MB, idle before the load → at its end (peak): ${rss.join('; ')}`);
  const loops = ['http', 'floor', 'ours-all', 'ours-intake'].filter((k) => t[k]?.cpu?.serverLoopOnCpu !== undefined)
    .map((k) => `${names[k]} ${Math.round(100 * t[k].cpu.serverLoopOnCpu)} % on CPU / ${Math.round(100 * t[k].cpu.serverLoopWaitingForCpu)} % waiting for a CPU`);
  if (loops.length) lines.push(`server event loop (main thread) during the window: ${loops.join('; ')}`);
  if (t.floor?.integrity) lines.push(`R_floor stored exactly once: ${t.floor.integrity.ok ? 'yes' : 'NO'} — acked ${t.floor.integrity.acked}, lost ${t.floor.integrity.lost}, duplicated ${t.floor.integrity.duplicated}`);
  return lines.join('\n');
}

function verdicts(res) {
  const out = {};
  for (const k of ['ours-all', 'ours-intake']) {
    const r = res.targets[k];
    if (!r || r.error) continue;
    const floor = res.targets.floor && !res.targets.floor.error ? res.targets.floor.ordersPerSec : undefined;
    const http = res.targets.http && !res.targets.http.error ? res.targets.http.ordersPerSec : undefined;
    const v = [
      { name: 'orders/s', value: round(r.ordersPerSec), target: `≥ ${TARGETS.ordersPerSec}`, met: r.ordersPerSec >= TARGETS.ordersPerSec },
      { name: 'p99 ack ms', value: round(r.p99, 1), target: `≤ ${TARGETS.p99Ms}`, met: r.p99 <= TARGETS.p99Ms },
      { name: 'peak RSS MB', value: r.rssMb, target: `≤ ${TARGETS.rssMb}`, met: r.rssMb <= TARGETS.rssMb },
    ];
    if (floor) v.push({ name: 'R_ours/R_floor', value: round(r.ordersPerSec / floor, 2), target: `≥ ${TARGETS.floorRatio}`, met: r.ordersPerSec / floor >= TARGETS.floorRatio });
    if (http) v.push({ name: 'R_ours/R_http', value: round(r.ordersPerSec / http, 2), target: null, met: true });
    v.push({ name: 'exactly once', value: r.integrity.ok ? 'yes' : 'no', target: 'yes', met: r.integrity.ok });
    out[k] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'index.js'))) fail('the bot is not built: run `npm run build` (npm run bench:intake does it)');
  mkdirSync(OUT_DIR, { recursive: true });
  const res = {
    run: RUN_ID,
    command: `npm run bench:intake -- ${process.argv.slice(2).join(' ')}`.trim(),
    settings: { duration: DURATION, warmup: WARMUP, connections: CONNECTIONS, floorPool: FLOOR_POOL, targets: order, botConfig: opt['bot-config'] ?? null, botNodeFlags: opt['bot-node-flag'] },
    loadBefore: loadAverage(),
    machine: await machineInfo(),
    code: codeDigest(ROOT, HOT_PATH),
    targets: {},
  };
  console.log(`bench:intake ${RUN_ID}: ${order.join(', ')} — ${CONNECTIONS} connections, ${DURATION} s each (+${WARMUP} s warm-up); load average ${res.loadBefore.join(' ')}`);
  if (order.includes('floor') || order.includes('copy')) await prepareFloorDb();
  // Keys an interrupted earlier run left behind (every bench run uses an orderops-bench-<pid>-<role> prefix).
  if (order.some((t) => t.startsWith('ours'))) await cleanRedisPrefix('orderops-bench-*');
  let ok = true;
  for (const target of order) {
    if (interrupted) break;
    const started = Date.now();
    process.stdout.write(`  ${target} … `);
    try {
      if (target === 'http' || target === 'floor') res.targets[target] = await benchBare(target);
      else if (target === 'ours-all') res.targets[target] = await benchBot('all');
      else if (target === 'ours-intake') res.targets[target] = await benchBot('intake');
      else if (target === 'copy') {
        const stored = ['floor', 'ours-all', 'ours-intake'].map((k) => res.targets[k]?.integrity?.stored ?? 0);
        const rows = opt['copy-rows'] ? Math.floor(positiveNumber('copy-rows', opt['copy-rows'])) : Math.max(10_000, ...stored);
        if (!opt['copy-rows'] && stored.every((n) => n === 0)) console.log('(no HTTP target stored rows; copying 10000)');
        res.targets.copy = await benchCopy(rows);
      }
      const r = res.targets[target];
      const line = target === 'copy'
        ? Object.entries(r).map(([tb, c]) => `${tb}: ${round(c.rowsPerSec)} rows/s (${c.rows} rows)`).join(', ')
        : `${round(r.ordersPerSec)} orders/s, p99 ${round(r.p99, 1)} ms${r.integrity ? `, lost ${r.integrity.lost}, duplicated ${r.integrity.duplicated}` : ''}`;
      console.log(`${line} [${round((Date.now() - started) / 1000)} s]`);
      if (r.integrity && !r.integrity.ok) ok = false;
      if (target === 'copy' && Object.values(r).some((c) => !c.ok)) ok = false;
    } catch (e) {
      ok = false;
      res.targets[target] = { error: String(e?.stack ?? e) };
      console.log(`FAILED: ${String(e?.message ?? e)}`);
    }
  }
  if (interrupted) return new Promise(() => undefined); // the signal handler exits once the children are gone
  res.loadAfter = loadAverage();
  res.verdicts = verdicts(res);
  if (opt['cpu-prof']) {
    res.profiles = {};
    for (const f of readdirSync(OUT_DIR).filter((n) => n.endsWith('.cpuprofile'))) {
      const file = path.join(OUT_DIR, f);
      const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')));
      res.profiles[f] = summary;
      console.log(`\n${f} (${round(statSync(file).size / 2 ** 20, 1)} MiB):\n${formatProfileSummary(summary, 25)}`);
    }
  }
  if (!opt['keep-db']) {
    for (const db of [BOT_DB, FLOOR_DB]) await dropDatabase(db).catch(() => undefined);
  }
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path.join(OUT_DIR, 'results.json'), JSON.stringify(res, null, 2));
  console.log(report(res));
  console.log(`\nraw results: ${path.relative(ROOT, path.join(OUT_DIR, 'results.json'))}`);
  const missed = Object.values(res.verdicts).flat().some((v) => !v.met);
  if (!ok) {
    console.error('bench:intake: a target failed or an acknowledged order was not stored exactly once');
    return 1;
  }
  return opt.strict && missed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
