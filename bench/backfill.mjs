#!/usr/bin/env node
// `npm run bench:backfill` — a history import (`orderops import orders <file.jsonl>`) of N orders
// beside the raw limit of the same machine, measured in the same run on the same rows:
//
//   R_copy    COPY … FROM STDIN of the file's distinct orders (the naive row: raw JSON as data) into
//             a copy of `orders` without triggers, and into `orders` itself (history trigger)
//   R_import  the built CLI, end to end: read, validate, classify, dedupe, write (fresh database)
//   again     the same import a second time: must change nothing
//
// Then checks: stored = distinct orders in the file, none duplicated, a sample classified as the
// rule engine says (tags, priority, review status, quiet exceptions of in-flight orders only), no
// chat_messages, no stock reserved, history via 'import', and the second run changed nothing.
// Target (issue 8): 1,000,000 orders in ≤ 60 s. Loopback Postgres only; databases dropped after.
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { benchOptions } from './lib/args.mjs';
import { seeded } from './lib/chat-stand-in.mjs';
import { withPg } from './lib/checks.mjs';
import { guardRun, onCleanup, sleep, startProcess } from './lib/children.mjs';
import { codeDigest, loadAverage, machineFacts, machineLine } from './lib/machine.mjs';
import { ROW_COLUMNS, copyLine, orderRow } from './lib/orders.mjs';
import { cpuOfPid, cpuOfPostgres, memoryOf } from './lib/proc.mjs';
import { SEED_MIX, mixedKinds, orderJson } from './lib/storm.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = { orders: 1_000_000, seconds: 60 };
const HOT_PATH = ['src/cli/import-orders.ts', 'src/cli/import-orders-worker.ts', 'src/cli/order-lines.ts', 'src/actions/import-orders.ts', 'src/db/order-import.ts', 'src/db/order-writes.ts', 'src/domain/orders/history-import.ts', 'src/domain/orders/classify.ts', 'migrations/1764800000000_order-import.sql'];

const HELP = `npm run bench:backfill [-- options]

  --orders N        distinct orders in the generated file (default 1000000; ~2 % appear twice)
  --chunk N         the import's --chunk (default: the CLI's)
  --sample N        orders whose stored classification is checked against the rule engine (default 2000)
  --skip-copy       no R_copy (only the import and its checks)
  --cpu-prof        run the import under node --cpu-prof and summarise it
  --pg-url URL      Postgres, loopback only (default postgres://127.0.0.1:5432)
  --keep-db         keep orderops_bench_backfill and orderops_bench_backfill_copy afterwards
  --strict          exit 1 when the target is missed (a failed check always exits 1)

The JSONL file is written to the OS temp dir and removed afterwards. Raw results go to
bench/results/backfill-<run>/.`;

const { opt, fail, whole, loopbackPg } = benchOptions('bench:backfill', HELP, {
  orders: { type: 'string', default: String(TARGET.orders) },
  chunk: { type: 'string' },
  sample: { type: 'string', default: '2000' },
  'skip-copy': { type: 'boolean', default: false },
  'cpu-prof': { type: 'boolean', default: false },
  'pg-url': { type: 'string', default: 'postgres://127.0.0.1:5432' },
  'keep-db': { type: 'boolean', default: false },
  strict: { type: 'boolean', default: false },
});
const N = whole('orders');
const SAMPLE = whole('sample');
const PG_BASE = loopbackPg('pg-url');
const dbUrl = (name) => Object.assign(new URL(PG_BASE), { pathname: `/${name}` }).toString();
const DB = 'orderops_bench_backfill';
const COPY_DB = 'orderops_bench_backfill_copy';
const RUN_ID = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
const OUT_DIR = path.join(ROOT, 'bench', 'results', `backfill-${RUN_ID}`);
const round = (n, d = 0) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : n);

// The built code under test, for the classification check.
const require = createRequire(path.join(ROOT, 'dist', 'index.js'));

// ~12 µs per order for each of the four passes on this machine, plus fixed costs; generous.
guardRun({ name: 'bench:backfill', budgetSec: 120 + Math.ceil(N / 1000) * 0.5 });

// ---------------------------------------------------------------------------------------------
// The file: a year of a shop's history in the generic format. Each order is one of the storm's
// kinds (clean, vague address, urgent, invoice, forward, partial payment, interception, high amount,
// remote region) or a VIP; most are done (completed, delivered; some cancelled or refunded), about a
// fifth still in flight at some stage. 2 % of the orders appear again further down with a later
// updated_at and a newer status, as an export of updates would have them.

const DONE = [['completed', 'delivered', 0.72], ['cancelled', 'pending', 0.05], ['refunded', 'delivered', 0.02], ['closed', 'pending', 0.01]];
const FLIGHT_STAGES = ['pending', 'pending', 'reviewed', 'printed', 'packed', 'shipped'];

function historicalOrder(kind, i, rnd, yearStartMs) {
  const createdMs = yearStartMs + Math.floor((i / N) * 365 * 86_400_000);
  const body = JSON.parse(orderJson(kind === 'vip' ? 'clean' : kind, `HIST-${String(i).padStart(7, '0')}`, rnd, createdMs));
  if (kind === 'vip') body.buyer.vip = true;
  const r = rnd();
  let acc = 0;
  const done = DONE.find(([, , p]) => (acc += p) > r);
  if (done && body.status === 'paid') {
    body.status = done[0];
    body.stage = done[1];
  } else body.stage = FLIGHT_STAGES[Math.floor(rnd() * FLIGHT_STAGES.length)];
  body.updated_at = shanghaiIso(createdMs + 3_600_000 * (1 + Math.floor(rnd() * 72)));
  return body;
}

function shanghaiIso(ms) {
  return `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

/** Write the file; returns { file, lines, distinct, repeats, sample: Map id → winning line }. */
async function writeFile(file) {
  const rnd = seeded(2026);
  const kinds = mixedKinds(N, { ...SEED_MIX, vip: 0.05 }, rnd);
  const yearStartMs = Date.parse('2025-01-01T00:00:00+08:00');
  const sampleEvery = Math.max(1, Math.floor(N / SAMPLE));
  const sample = new Map();
  const later = []; // [atIndex, line]
  const out = createWriteStream(file);
  let lines = 0;
  let repeats = 0;
  const write = async (s) => {
    if (!out.write(s)) await new Promise((r) => out.once('drain', r));
  };
  let buf = '';
  for (let i = 0; i < N; i++) {
    const o = historicalOrder(kinds[i], i, rnd, yearStartMs);
    const line = JSON.stringify(o);
    buf += `${line}\n`;
    lines++;
    let winner = line;
    if (rnd() < 0.02) {
      // The same order again later in the file (in this chunk or a later one), updated.
      const u = { ...o, updated_at: shanghaiIso(Date.parse(o.updated_at) + 86_400_000) };
      if (u.status === 'paid' || u.status === 'partially_paid') Object.assign(u, { status: 'completed', stage: 'delivered', paid: u.total });
      else u.seller_remark = '已回访';
      winner = JSON.stringify(u);
      later.push([i + 1 + Math.floor(rnd() * 30_000), winner]);
      repeats++;
    }
    if (i % sampleEvery === 0) sample.set(o.id, winner);
    while (later.length > 0 && later[0][0] <= i) {
      buf += `${later.shift()[1]}\n`;
      lines++;
    }
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  for (const [, l] of later) buf += `${l}\n`;
  lines += later.length;
  await write(buf);
  await new Promise((r) => out.end(r));
  return { file, lines, distinct: N, repeats, bytes: statSync(file).size, sample };
}

// ---------------------------------------------------------------------------------------------
// Databases

async function recreate(name) {
  await withPg(dbUrl('postgres'), (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
  const mig = startProcess(process.execPath, ['bin/orderops.js', 'migrate'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: dbUrl(name), LOG_LEVEL: 'warn' }, logPath: path.join(OUT_DIR, `migrate-${name}.log`) });
  const { code } = await mig.exited;
  if (code !== 0) throw new Error(`migrating ${name} failed:\n${mig.tail()}`);
}

async function dropAll() {
  for (const db of [DB, COPY_DB]) {
    await withPg(dbUrl('postgres'), (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(db)} WITH (FORCE)`)).catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// R_copy: the same distinct orders, as rows of the naive design, COPYed in chunks of 10,000.

async function copyLimit(file) {
  await recreate(COPY_DB);
  await withPg(dbUrl(COPY_DB), (c) => c.query('CREATE TABLE bench_copy (LIKE orders INCLUDING ALL)'));
  const out = {};
  for (const table of ['bench_copy', 'orders']) {
    const started = performance.now();
    const rows = await withPg(dbUrl(COPY_DB), async (c) => {
      const stream = c.query(copyStreams.from(`COPY ${table} (${ROW_COLUMNS.join(', ')}) FROM STDIN`));
      await pipeline(Readable.from(copyChunks(file)), stream);
      return Number(stream.rowCount);
    });
    const seconds = (performance.now() - started) / 1000;
    out[table] = { rows, seconds: round(seconds, 1), rowsPerSec: round(rows / seconds) };
    console.log(`  R_copy → ${table}: ${out[table].rowsPerSec} rows/s (${rows} rows in ${out[table].seconds} s)`);
  }
  return out;
}

/** COPY text of the file's first line of each order (a repeat would break the unique key). */
async function* copyChunks(file) {
  const seen = new Set();
  let s = '';
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const o = JSON.parse(line);
    if (seen.has(o.id)) continue;
    seen.add(o.id);
    s += copyLine(orderRow(o, line));
    if (++n % 10_000 === 0) {
      yield s;
      s = '';
    }
  }
  if (s) yield s;
}

// ---------------------------------------------------------------------------------------------
// R_import: the built CLI as a user runs it; peak RSS from the kernel's high-water mark.

async function runImport(file, label) {
  const args = ['bin/orderops.js', 'import', 'orders', file];
  if (opt.chunk) args.push('--chunk', opt.chunk);
  // One profile per thread (main: I/O and Postgres; worker: parsing and classifying), named by node.
  const nodeFlags = opt['cpu-prof'] && label === 'import' ? ['--cpu-prof', `--cpu-prof-dir=${path.join(OUT_DIR, 'profiles')}`] : [];
  const pg0 = cpuOfPostgres(DB);
  const started = performance.now();
  const child = startProcess(process.execPath, [...nodeFlags, ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: dbUrl(DB), LOG_LEVEL: 'warn' }, logPath: path.join(OUT_DIR, `${label}.log`) });
  let peakKb = 0;
  let cpuSec = 0;
  let pgSec = 0;
  // Sampled while it runs: the import's backend takes its CPU time with it when it exits.
  const poll = setInterval(() => {
    const m = memoryOf(child.pid);
    if (m) peakKb = Math.max(peakKb, m.hwmKb, m.rssKb);
    cpuSec = Math.max(cpuSec, cpuOfPid(child.pid));
    pgSec = Math.max(pgSec, cpuOfPostgres(DB) - pg0);
  }, 250);
  const { code } = await child.exited;
  clearInterval(poll);
  const seconds = (performance.now() - started) / 1000;
  const log = readFileSync(child.logPath, 'utf8');
  const m = /imported (\d+) order line\(s\): (\d+) new, (\d+) updated, (\d+) unchanged/.exec(log);
  if (code !== 0 || !m) throw new Error(`${label}: exit ${code}; its output:\n${child.tail()}`);
  return {
    code, seconds: round(seconds, 1), peakRssMb: round(peakKb / 1024), cpuSec: round(cpuSec, 1), postgresCpuSec: round(pgSec, 1),
    lines: Number(m[1]), created: Number(m[2]), updated: Number(m[3]), unchanged: Number(m[4]),
  };
}

// ---------------------------------------------------------------------------------------------
// Checks

async function snapshot(c) {
  const { rows } = await c.query(`SELECT (SELECT count(*) FROM orders)::int AS orders,
    (SELECT count(DISTINCT (source, external_id)) FROM orders)::int AS keys,
    (SELECT count(*) FROM order_history)::int AS history,
    (SELECT count(*) FROM order_history WHERE source <> 'import')::int AS history_not_import,
    (SELECT count(*) FROM exceptions)::int AS exceptions,
    (SELECT count(*) FROM exceptions WHERE NOT quiet)::int AS loud_exceptions,
    (SELECT count(*) FROM chat_messages)::int AS chat_messages,
    (SELECT count(*) FROM stock_reservations)::int AS reservations,
    (SELECT count(*) FROM orders WHERE processed_revision < revision)::int AS unprocessed,
    (SELECT max(updated_at) FROM orders) AS last_write,
    (SELECT sum(revision) FROM orders)::bigint AS revisions`);
  return rows[0];
}

async function checkClassification(c, sample) {
  const { parseGenericOrder } = require('./integrations/platforms/generic/generic-order.js');
  const { classify } = require('./domain/orders/classify.js');
  const { judgeHistorical } = require('./domain/orders/history-import.js');
  const { readConfig } = require('./config/index.js');
  const rules = readConfig({}).settings.rules;
  const { rows } = await c.query(
    `SELECT o.external_id, o.tags, o.priority, o.review_status,
       coalesce((SELECT array_agg(e.type ORDER BY e.type) FROM exceptions e WHERE e.order_id = o.id AND e.status <> 'resolved'), '{}') AS open
     FROM orders o WHERE o.source = 'generic' AND o.external_id = ANY($1)`,
    [[...sample.keys()]],
  );
  const now = new Date().toISOString();
  const wrong = [];
  for (const r of rows) {
    const p = parseGenericOrder(JSON.parse(sample.get(r.external_id)));
    const v = judgeHistorical(p.order, classify(p.order, rules, { now }), { cards: false });
    const want = { tags: [...v.tags].sort(), priority: v.priority, review_status: v.reviewStatus, open: v.recorded.map((e) => e.type).sort() };
    const got = { tags: [...r.tags].sort(), priority: r.priority, review_status: r.review_status, open: r.open };
    if (JSON.stringify(want) !== JSON.stringify(got)) wrong.push({ id: r.external_id, want, got });
  }
  return { checked: rows.length, missing: sample.size - rows.length, wrong: wrong.length, examples: wrong.slice(0, 3) };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'index.js'))) fail('the bot is not built: run `npm run build` (npm run bench:backfill does it)');
  mkdirSync(OUT_DIR, { recursive: true });
  const res = {
    run: RUN_ID,
    command: `npm run bench:backfill -- ${process.argv.slice(2).join(' ')}`.trim(),
    orders: N,
    loadBefore: loadAverage(),
    machine: await machineFacts({ pgUrl: dbUrl('postgres'), redisUrl: 'redis://127.0.0.1:6379' }),
    code: codeDigest(ROOT, HOT_PATH),
  };
  console.log(`bench:backfill ${RUN_ID}: ${N} orders; load average ${res.loadBefore.join(' ')}`);
  const file = path.join(os.tmpdir(), `orderops-backfill-${process.pid}.jsonl`);
  onCleanup(() => rmSync(file, { force: true }));
  let t = performance.now();
  const f = await writeFile(file);
  res.file = { lines: f.lines, distinct: f.distinct, repeats: f.repeats, mb: round(f.bytes / 2 ** 20), seconds: round((performance.now() - t) / 1000, 1) };
  console.log(`  file: ${f.lines} lines (${f.distinct} orders, ${f.repeats} repeated later), ${res.file.mb} MiB, written in ${res.file.seconds} s`);

  if (!opt['skip-copy']) res.copy = await copyLimit(file);
  await withPg(dbUrl('postgres'), (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(COPY_DB)} WITH (FORCE)`)).catch(() => undefined);

  await recreate(DB);
  await sleep(1000); // let the migration's writes settle before the clock starts
  res.import = await runImport(file, 'import');
  console.log(`  R_import: ${round(f.lines / res.import.seconds)} lines/s, ${round(N / res.import.seconds)} orders/s (${res.import.seconds} s, peak RSS ${res.import.peakRssMb} MB)`);
  res.afterImport = await withPg(dbUrl(DB), snapshot);
  res.classification = await withPg(dbUrl(DB), (c) => checkClassification(c, f.sample));
  res.again = await runImport(file, 'again');
  console.log(`  again: ${res.again.seconds} s — ${res.again.created} new, ${res.again.updated} updated, ${res.again.unchanged} unchanged`);
  res.afterAgain = await withPg(dbUrl(DB), snapshot);
  res.loadAfter = loadAverage();

  const a = res.afterImport;
  const b = res.afterAgain;
  res.checks = [
    ['stored = distinct orders in the file', a.orders === N, `${a.orders} of ${N}`],
    ['no order stored twice', a.orders === a.keys, `${a.orders - a.keys} duplicated`],
    ['every line taken', res.import.lines === f.lines && res.import.created === N, `${res.import.lines} lines, ${res.import.created} new, ${res.import.updated} updated, ${res.import.unchanged} unchanged`],
    ['sample classified as the rule engine says', res.classification.wrong === 0 && res.classification.missing === 0, `${res.classification.checked} checked, ${res.classification.wrong} differ, ${res.classification.missing} missing`],
    ['exceptions recorded quietly, no chat_messages, no stock reserved', a.loud_exceptions === 0 && a.chat_messages === 0 && a.reservations === 0, `${a.exceptions} exceptions (${a.loud_exceptions} not quiet), ${a.chat_messages} chat_messages, ${a.reservations} reservations`],
    ['history via import', a.history_not_import === 0 && a.history >= N, `${a.history} rows, ${a.history_not_import} not via import`],
    ['nothing left for processing', a.unprocessed === 0, `${a.unprocessed} unprocessed`],
    ['second import changed nothing', b.orders === a.orders && b.history === a.history && b.exceptions === a.exceptions && String(b.revisions) === String(a.revisions)
      && String(b.last_write) === String(a.last_write) && res.again.created === 0 && res.again.updated === 0, `${res.again.created} new, ${res.again.updated} updated; history ${a.history} → ${b.history}`],
  ].map(([name, ok, detail]) => ({ name, ok, detail }));
  const rate = N / res.import.seconds;
  res.target = { seconds: round(res.import.seconds * (TARGET.orders / N), 1), met: res.import.seconds * (TARGET.orders / N) <= TARGET.seconds };

  if (opt['cpu-prof']) {
    const { summariseProfile, formatProfileSummary } = await import('./cpuprofile-summary.mjs');
    const dir = path.join(OUT_DIR, 'profiles');
    res.profiles = {};
    for (const f of existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.cpuprofile')) : []) {
      res.profiles[f] = summariseProfile(JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
      console.log(`\n${f}:\n${formatProfileSummary(res.profiles[f], 25)}`);
    }
  }
  if (!opt['keep-db']) await dropAll();
  writeFileSync(path.join(OUT_DIR, 'results.json'), JSON.stringify(res, null, 2));

  const lines = [];
  lines.push(`\norderops backfill bench ${RUN_ID} — ${N} orders, ${f.lines} lines (${res.file.mb} MiB)`);
  lines.push(`machine: ${machineLine(res.machine)}; load average before ${res.loadBefore.join(' ')}, after ${res.loadAfter.join(' ')}`);
  lines.push(`code: src ${res.code.src}, import path ${res.code.hotPath} (sha256 prefixes)`);
  lines.push('');
  lines.push('| target | rows | seconds | rows/s | peak RSS MB | CPU s (node / postgres) | ÷ R_copy → orders |');
  lines.push('| --- | ---: | ---: | ---: | ---: | --- | ---: |');
  const copyOrders = res.copy?.orders;
  for (const [table, c] of Object.entries(res.copy ?? {})) {
    lines.push(`| R_copy → ${table === 'orders' ? 'orders (history trigger)' : 'bench_copy (no triggers)'} | ${c.rows} | ${c.seconds} | ${c.rowsPerSec} | | | ${copyOrders ? round(c.rowsPerSec / copyOrders.rowsPerSec, 2) : ''} |`);
  }
  for (const [label, r] of [['R_import', res.import], ['again (nothing to change)', res.again]]) {
    lines.push(`| ${label} | ${N} | ${r.seconds} | ${round(N / r.seconds)} | ${r.peakRssMb} | ${r.cpuSec} / ${r.postgresCpuSec} | ${copyOrders ? round(N / r.seconds / copyOrders.rowsPerSec, 2) : ''} |`);
  }
  lines.push('');
  lines.push(`target: 1,000,000 orders in ≤ ${TARGET.seconds} s — ${N === TARGET.orders ? `${res.import.seconds} s` : `${res.target.seconds} s projected from ${N}`}: ${res.target.met ? 'MET' : 'MISSED'} (${round(rate)} orders/s)`);
  for (const c of res.checks) lines.push(`${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`);
  if (res.classification.examples.length) lines.push(`classification differences: ${JSON.stringify(res.classification.examples)}`);
  console.log(lines.join('\n'));
  console.log(`\nraw results: ${path.relative(ROOT, path.join(OUT_DIR, 'results.json'))}`);
  if (res.checks.some((c) => !c.ok)) return 1;
  return opt.strict && !res.target.met ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    dropAll().finally(() => process.exit(1));
  },
);
