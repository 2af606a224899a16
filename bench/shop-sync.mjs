#!/usr/bin/env node
// `npm run bench:shop-sync` — a full sync of N SKUs × 5 platforms against local stand-ins of the
// platforms (bench/lib/shop-stand-in.cjs) that enforce each platform's configured rate:
//
//   pull     `orderops listings pull`: every listing of the five shops read through each platform's
//            documented read calls, paced at its rate, matched to the master by merchant code
//   compare  the consistency report (one statement over every listing)
//   push     the differences: every SKU's sellable figure marked (as a restock would), sent only where
//            a platform shows another figure; each price deviation pushed through a scoped price
//            change, approved through the API (a price never reaches a shop unapproved)
//
// Reported: the time of each phase, the calls per platform and kind, the busiest second per
// platform against its configured rate, throttling answers (0 when within the limits), and the
// check that every shop shows the master afterwards. Own database (orderops_bench_sync) and Redis
// prefix; loopback only. A shared machine slows the pull only through the rates (calls wait for
// their turn), the rest through CPU.
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { benchOptions } from './lib/args.mjs';
import { botRunner, BENCH_API_TOKEN } from './lib/bot.mjs';
import { withPg } from './lib/checks.mjs';
import { freePort, guardRun, sleep, startProcess } from './lib/children.mjs';
import { codeDigest, machineFacts, machineLine } from './lib/machine.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startShopStandIn } = require('./lib/shop-stand-in.cjs');

const PLATFORMS = ['douyin', 'taobao', 'pinduoduo', 'jd', 'shopify'];
const SHOP = { douyin: 'dy', taobao: 'tb', pinduoduo: 'pdd', jd: 'jd', shopify: 'us' };
const DEFAULT_RATES = 'douyin=10,taobao=10,pinduoduo=50,jd=10,shopify=2';

const HELP = `npm run bench:shop-sync [-- options]

  --skus N          SKUs in the master record, each listed on all five platforms (default 10000)
  --deviate F       share of listings per platform whose stock differs, and (other SKUs) whose price
                    differs (default 0.1)
  --rates LIST      calls per second per platform, as configured in shop_sync.rate_limits and
                    enforced by the stand-ins (default ${DEFAULT_RATES})
  --pg-url URL      Postgres, loopback only (default postgres://127.0.0.1:5432)
  --redis-url URL   Redis, loopback only (default redis://127.0.0.1:6379)
  --keep-db         keep orderops_bench_sync afterwards

Raw results go to bench/results/shop-sync-<run>/.`;

const { opt, fail, whole, loopbackPg } = benchOptions('bench:shop-sync', HELP, {
  skus: { type: 'string', default: '10000' },
  deviate: { type: 'string', default: '0.1' },
  rates: { type: 'string', default: DEFAULT_RATES },
  'pg-url': { type: 'string', default: 'postgres://127.0.0.1:5432' },
  'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
  'keep-db': { type: 'boolean', default: false },
});
const N = whole('skus');
const DEVIATE = Number(opt.deviate);
if (!(DEVIATE >= 0 && DEVIATE <= 0.5)) fail('--deviate must be between 0 and 0.5');
const RATES = Object.fromEntries(opt.rates.split(',').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
for (const p of PLATFORMS) if (!(RATES[p] > 0)) fail(`--rates needs a positive rate for ${p}`);
const redisUrl = new URL(opt['redis-url']);
if (!['127.0.0.1', 'localhost'].includes(redisUrl.hostname)) fail('--redis-url must be on loopback');
const PG_BASE = loopbackPg('pg-url');
const DB = 'orderops_bench_sync';
const dbUrl = Object.assign(new URL(PG_BASE), { pathname: `/${DB}` }).toString();
const RUN_ID = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
const OUT = path.join(ROOT, 'bench', 'results', `shop-sync-${RUN_ID}`);
const PREFIX = `orderops-bench-sync-${RUN_ID}`;
const round = (n, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const log = (m) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

// Listing reads dominate: Douyin and Taobao read one product per call (N/rate seconds).
const slowest = Math.max(...PLATFORMS.map((p) => (N * 1.02) / RATES[p]));
guardRun({ name: 'bench:shop-sync', budgetSec: Math.ceil(300 + slowest * 2.5) });

mkdirSync(OUT, { recursive: true });
const standIn = await startShopStandIn({ rates: RATES });
const code = (i) => `SKU-${String(i).padStart(6, '0')}`;
// Deviations: the first share of SKUs shows another stock on each platform (rotated so every
// platform has its own), the next share another price (one platform each: one approval per SKU).
const dev = Math.floor(N * DEVIATE);
const stockDeviates = (i, k) => (i + k * dev) % N < dev;
const priceDeviates = (i, k) => i >= dev && i < 2 * dev && (i % PLATFORMS.length) === k;
PLATFORMS.forEach((p, k) => standIn.seed(p, Array.from({ length: N }, (_, i) => ({
  code: code(i), price: priceDeviates(i, k) ? '109.00' : '100.00', stock: stockDeviates(i, k) ? 90 : 100,
}))));

// A fresh database with the master record.
await withPg(Object.assign(new URL(PG_BASE), { pathname: '/postgres' }).toString(), async (c) => {
  await c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${DB}`);
});
const cfgPath = path.join(OUT, 'orderops.yml');
writeFileSync(cfgPath, `
locale: en
staff:
  - { id: bench.manager, name: Bench manager, role: manager, team: warehouse }
shop_sync:
  night_guard: { enabled: false }
  stock_coalesce_seconds: 1
  listings: { enabled: false }
  rate_limits: { ${PLATFORMS.map((p) => `${p}: ${RATES[p]}`).join(', ')} }
inventory: { report: { enabled: false } }
shops:
${PLATFORMS.map((p) => `  - { id: ${SHOP[p]}, source: ${p}, token_env: T_${SHOP[p].toUpperCase()}, ${p === 'shopify' ? 'shop_domain: us.myshopify.com, ' : ''}reconcile: { enabled: false } }`).join('\n')}
`);
const env = {
  DATABASE_URL: dbUrl, REDIS_URL: redisUrl.toString(), ORDEROPS_QUEUE_PREFIX: PREFIX, ORDEROPS_CONFIG: cfgPath, LOG_LEVEL: 'warn',
  ...standIn.env(), T_DY: 'a', T_TB: 'b', T_PDD: 'c', T_JD: 'd', T_US: 'e',
  DOUYIN_APP_KEY: 'k', DOUYIN_APP_SECRET: 's', TAOBAO_APP_KEY: 'k', TAOBAO_APP_SECRET: 's', PDD_CLIENT_ID: 'k', PDD_CLIENT_SECRET: 's', JD_APP_KEY: 'k', JD_APP_SECRET: 's',
};
const bot = botRunner({ root: ROOT, port: await freePort(), logPath: path.join(OUT, 'bot.log'), env });
await bot.start();
await withPg(dbUrl, async (c) => {
  await c.query(`INSERT INTO skus (sku, name, stock, price) SELECT 'SKU-' || lpad(i::text, 6, '0'), 'bench', 100, 100.00 FROM generate_series(0, $1 - 1) i`, [N]);
});
log(`${N} SKUs × ${PLATFORMS.length} platforms; ${dev} stock and ${dev} price deviations per platform's rotation; rates ${opt.rates}`);

// 1. Pull.
const t0 = Date.now();
const pull = startProcess(process.execPath, [path.join(ROOT, 'bin', 'orderops.js'), 'listings', 'pull'], { env: { ...process.env, ...env }, cwd: ROOT, logPath: path.join(OUT, 'pull.log') });
const pulled = await pull.exited;
const tPull = (Date.now() - t0) / 1000;
if (pulled.code !== 0) fail(`listings pull exited ${pulled.code}: ${pull.tail(10)}`);
log(`pull: ${round(tPull)} s`);

// 2. Compare.
const api = async (p, body, method = 'POST') => {
  const res = await fetch(`${bot.url}${p}`, { method, headers: { authorization: `Bearer ${BENCH_API_TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
};
const t1 = Date.now();
const report = await api('/api/reports/consistency', undefined);
const tCompare = (Date.now() - t1) / 1000;
const reportId = report.json.report?.id ?? report.json.id;
const deviations = await withPg(dbUrl, async (c) => (await c.query(
  `SELECT sku, platform, shop, stock_ok, price_ok FROM consistency_report_rows WHERE report_id = $1 AND known`, [reportId])).rows);
log(`compare: ${round(tCompare, 2)} s, ${deviations.filter((d) => !d.stock_ok).length} stock and ${deviations.filter((d) => !d.price_ok).length} price deviations`);

// 3. Push the differences.
const t2 = Date.now();
await withPg(dbUrl, (c) => c.query(`INSERT INTO stock_dirty (sku, dirty_at) SELECT sku, now() FROM skus ON CONFLICT (sku) DO UPDATE SET dirty_at = EXCLUDED.dirty_at`));
let approvals = 0;
for (const d of deviations.filter((x) => !x.price_ok)) {
  // Scoped to the one listing like the report's 推送主数据, then approved.
  const r = await api('/api/price-changes', { sku: d.sku, price: '100.00', requested_by: 'bench.manager', reason: 'bench: push master value', scope: { platform: d.platform, shop: d.shop } });
  if (r.status !== 201) fail(`price request for ${d.sku}: ${r.status} ${JSON.stringify(r.json)}`);
  const a = await api(`/api/price-changes/${r.json.request_id}/decision`, { decision: 'approve', version: r.json.version, staff: 'bench.manager' });
  if (a.status !== 200) fail(`approval of ${d.sku}: ${a.status}`);
  approvals++;
}
for (;;) {
  const left = await withPg(dbUrl, async (c) => (await c.query(`SELECT
    (SELECT count(*) FROM stock_dirty)::int + (SELECT count(*) FROM stock_pushes WHERE dirty_at IS NOT NULL)::int AS stock,
    (SELECT count(*) FROM price_pushes WHERE status IN ('pending', 'sending'))::int AS price`)).rows[0]);
  if (left.stock === 0 && left.price === 0) break;
  await sleep(1000);
}
const tPush = (Date.now() - t2) / 1000;
log(`push: ${round(tPush)} s (${approvals} approvals)`);
const failed = await withPg(dbUrl, async (c) => (await c.query(`SELECT
  (SELECT count(*) FROM stock_pushes WHERE status = 'failed')::int AS stock, (SELECT count(*) FROM price_pushes WHERE status = 'failed')::int AS price`)).rows[0]);

// Calls per platform and kind, the busiest second against the rate, throttled answers.
const calls = {};
for (const p of PLATFORMS) {
  const list = standIn.state[p].calls;
  const byOp = {};
  for (const c of list) byOp[c.op] = (byOp[c.op] ?? 0) + 1;
  const perSec = {};
  for (const c of list) perSec[Math.floor(c.at / 1000)] = (perSec[Math.floor(c.at / 1000)] ?? 0) + 1;
  calls[p] = { total: list.length, byOp, busiestSecond: Math.max(0, ...Object.values(perSec)), rate: RATES[p], throttled: standIn.state[p].throttled };
}
// Every shop now shows the master: stock 100 and price 100.00 on every listing.
const wrong = PLATFORMS.flatMap((p) => standIn.listings(p).filter((l) => l.stock !== 100 || Number(l.price) !== 100).map((l) => `${p}:${l.code}`));
const totalCalls = Object.values(calls).reduce((n, c) => n + c.total, 0);
const result = {
  run: RUN_ID, skus: N, platforms: PLATFORMS.length, deviate: DEVIATE, rates: RATES,
  seconds: { pull: round(tPull), compare: round(tCompare, 2), push: round(tPush), total: round(tPull + tCompare + tPush) },
  calls, totalCalls, approvals, failed, stillDifferent: wrong.length,
  machine: await machineFacts({ pgUrl: dbUrl, redisUrl: redisUrl.toString() }), load: os.loadavg().map((x) => round(x, 2)),
  code: codeDigest(ROOT, ['src/actions/shop/pull-listings.ts', 'src/actions/shop/stock-pushes.ts', 'src/actions/shop/price-pushes.ts', 'src/jobs/shop-push-jobs.ts', 'src/db/shop-pushes.ts']),
};
writeFileSync(path.join(OUT, 'result.json'), JSON.stringify(result, null, 2));
console.log(`\nbench:shop-sync ${N} SKUs × ${PLATFORMS.length} platforms: pull ${result.seconds.pull} s, compare ${result.seconds.compare} s, push ${result.seconds.push} s — total ${result.seconds.total} s, ${totalCalls} calls`);
for (const p of PLATFORMS) {
  const c = calls[p];
  console.log(`  ${p.padEnd(10)} ${String(c.total).padStart(6)} calls (${Object.entries(c.byOp).map(([k, v]) => `${k} ${v}`).join(', ')}); busiest second ${c.busiestSecond}/${c.rate}; throttled ${c.throttled}`);
}
console.log(`  failed pushes: stock ${failed.stock}, price ${failed.price}; listings still differing from the master: ${wrong.length}`);
console.log(`  ${machineLine(result.machine)}; load ${result.load.join(' ')}`);
console.log(`  raw: ${path.relative(ROOT, OUT)}/result.json`);

await bot.stop();
await standIn.close();
if (!opt['keep-db']) await withPg(Object.assign(new URL(PG_BASE), { pathname: '/postgres' }).toString(), (c) => c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`));
process.exit(wrong.length === 0 && failed.stock === 0 && failed.price === 0 ? 0 : 1);
