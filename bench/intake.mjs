#!/usr/bin/env node
// `npm run bench:intake` — intake throughput of orderops beside the raw limits of the same machine,
// measured in one run with the same order body, the same table shape and the same load generator
// (autocannon: N connections, no pipelining, a fixed duration). See BENCHMARKS.md.
//
//   R_http    bare node:http: read body, check HMAC, parse JSON, 200                 (bench/lib/bare-server.mjs)
//   R_floor   the same + one INSERT … ON CONFLICT DO NOTHING per request, pg Pool   (the naive design)
//   R_ours    the real bot (`node bin/orderops.js start`, --role all and --role intake), fresh database
//   R_poison  the bot as R_ours (role intake) with one poison order in every N requests
//   R_copy    COPY of as many rows (built from the same bodies) into a copy of `orders`
//
// Every acknowledged order is checked to be stored exactly once. Loopback only; child processes are
// stopped on every exit path (Ctrl-C included); a watchdog bounds the whole run. The parts, each in
// bench/lib/intake/: options.mjs (what to run), servers.mjs (the processes under load), load.mjs
// (autocannon and CPU accounting), poison.mjs (the poison storm), targets.mjs (each target),
// verify.mjs (exactly once), report.mjs (the tables and verdicts).
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { guardRun } from './lib/children.mjs';
import { codeDigest, loadAverage, machineFacts } from './lib/machine.mjs';
import { stopLoad } from './lib/intake/load.mjs';
import { intakeOptions } from './lib/intake/options.mjs';
import { report, verdicts } from './lib/intake/report.mjs';
import { BOT_DB, FLOOR_DB, benchBare, benchBot, benchCopy, cleanRedisPrefix, dropDatabase, prepareFloorDb } from './lib/intake/targets.mjs';
import { summariseProfile, formatProfileSummary } from './cpuprofile-summary.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const o = intakeOptions(ROOT);
const round = (n, d = 0) => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : n);

/** Which code was measured: a digest of the intake hot path and of all of src/ (the tree may have no git). */
const HOT_PATH = ['src/db/group-commit.ts', 'src/db/order-writes.ts', 'src/actions/ingest-orders.ts', 'src/http/webhooks.ts', 'src/http/intake-request.ts', 'src/jobs/queues.ts'];

let interrupted = false;
guardRun({
  name: 'bench:intake',
  budgetSec: o.order.length * (o.duration + o.warmup + 120) + 180,
  interrupt: () => {
    interrupted = true;
    stopLoad();
  },
});

async function machineInfo() {
  const facts = await machineFacts({ pgUrl: o.dbUrl('postgres'), redisUrl: o.redisUrl });
  const autocannon = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'autocannon', 'package.json'), 'utf8')).version;
  return { ...facts, autocannon };
}

async function runTarget(res, target) {
  if (target === 'http' || target === 'floor') return benchBare(o, target);
  if (target === 'ours-all') return benchBot(o, 'all');
  if (target === 'ours-intake') return benchBot(o, 'intake');
  if (target === 'ours-poison') return benchBot(o, 'intake', { poison: true });
  const stored = ['floor', 'ours-all', 'ours-intake'].map((k) => res.targets[k]?.integrity?.stored ?? 0);
  if (!o.copyRows && stored.every((n) => n === 0)) console.log('(no HTTP target stored rows; copying 10000)');
  return benchCopy(o, o.copyRows ?? Math.max(10_000, ...stored));
}

function progressLine(target, r) {
  if (target === 'copy') return Object.entries(r).map(([tb, c]) => `${tb}: ${round(c.rowsPerSec)} rows/s (${c.rows} rows)`).join(', ');
  const poisons = r.poison ? `, poisons ${Object.entries(r.poison).map(([k, s]) => `${k} ${Object.keys(s).join('/')}`).join(', ')}` : '';
  return `${round(r.ordersPerSec)} orders/s, p99 ${round(r.p99, 1)} ms${r.integrity ? `, lost ${r.integrity.lost}, duplicated ${r.integrity.duplicated}` : ''}${poisons}`;
}

async function main() {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'index.js'))) {
    console.error('bench:intake: the bot is not built: run `npm run build` (npm run bench:intake does it)');
    return 2;
  }
  mkdirSync(o.outDir, { recursive: true });
  const res = {
    run: o.runId,
    command: `npm run bench:intake -- ${process.argv.slice(2).join(' ')}`.trim(),
    settings: {
      duration: o.duration, warmup: o.warmup, connections: o.connections, floorPool: o.floorPool, targets: o.order,
      poisonEvery: o.poisonEvery, poisonKinds: o.poisonKinds, botConfig: o.botConfig ?? null, botNodeFlags: o.botNodeFlags,
    },
    loadBefore: loadAverage(),
    machine: await machineInfo(),
    code: codeDigest(ROOT, HOT_PATH),
    targets: {},
  };
  console.log(`bench:intake ${o.runId}: ${o.order.join(', ')} — ${o.connections} connections, ${o.duration} s each (+${o.warmup} s warm-up); load average ${res.loadBefore.join(' ')}`);
  if (o.order.includes('floor') || o.order.includes('copy')) await prepareFloorDb(o);
  // Keys an interrupted earlier run left behind (every bench run uses an orderops-bench-<pid>-<label> prefix).
  if (o.order.some((t) => t.startsWith('ours'))) await cleanRedisPrefix(o, 'orderops-bench-*');
  let ok = true;
  for (const target of o.order) {
    if (interrupted) break;
    const started = Date.now();
    process.stdout.write(`  ${target} … `);
    try {
      const r = (res.targets[target] = await runTarget(res, target));
      console.log(`${progressLine(target, r)} [${round((Date.now() - started) / 1000)} s]`);
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
  if (o.cpuProf) {
    res.profiles = {};
    for (const f of readdirSync(o.outDir).filter((n) => n.endsWith('.cpuprofile'))) {
      const file = path.join(o.outDir, f);
      const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')));
      res.profiles[f] = summary;
      console.log(`\n${f} (${round(statSync(file).size / 2 ** 20, 1)} MiB):\n${formatProfileSummary(summary, 25)}`);
    }
  }
  if (!o.keepDb) for (const db of [BOT_DB, FLOOR_DB]) await dropDatabase(o, db).catch(() => undefined);
  writeFileSync(path.join(o.outDir, 'results.json'), JSON.stringify(res, null, 2));
  console.log(report(res));
  console.log(`\nraw results: ${path.relative(ROOT, path.join(o.outDir, 'results.json'))}`);
  const missed = Object.values(res.verdicts).flat().some((v) => !v.met);
  if (!ok) {
    console.error('bench:intake: a target failed or an acknowledged order was not stored exactly once');
    return 1;
  }
  return o.strict && missed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
