#!/usr/bin/env node
// `npm run bench:isolation` — what isolating one poison order costs in a group-commit batch, beside
// the alternative the choice was made against (issue 13 point 1). In a scratch database with a CHECK
// that refuses one marked order, per batch of --batch orders:
//   clean       one upsert statement (the clean path, unchanged)
//   bisect      OrderIntake: the failing statement, then halves under savepoints in one transaction
//               until the culprit is alone (what the bot does)
//   per-row     one transaction, a savepoint and a single-row upsert per order
// Ratios to `clean` in the same run are the figures to compare; the machine must be quiet for rates.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import pg from 'pg';
import { benchOptions } from './lib/args.mjs';
import { withPg } from './lib/checks.mjs';
import { loadAverage } from './lib/machine.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { migrate } = require(path.join(ROOT, 'dist/db/migrate.js'));
const { upsertOrders } = require(path.join(ROOT, 'dist/db/order-writes.js'));
const { OrderIntake } = require(path.join(ROOT, 'dist/actions/ingest-orders.js'));

const { opt, whole, loopbackPg } = benchOptions('bench:isolation', `npm run bench:isolation [-- --batch 120 --rounds 40 --pg-url postgres://127.0.0.1:5432]

The scratch database orderops_bench_isolation is dropped and recreated, and dropped at the end.`, {
  batch: { type: 'string', default: '120' },
  rounds: { type: 'string', default: '40' },
  'pg-url': { type: 'string', default: 'postgres://127.0.0.1:5432' },
});
const B = whole('batch');
const ROUNDS = whole('rounds');
const base = loopbackPg('pg-url');
const url = (db) => Object.assign(new URL(base), { pathname: `/${db}` }).toString();
const DB = 'orderops_bench_isolation';

let seq = 0;
function order(remark = '') {
  const id = `ISO-${process.pid}-${seq++}`;
  const raw = { id, created_at: '2026-01-08T20:01:02+08:00', status: 'paid', items: [{ sku: 'LAMP-01', qty: 1, price: '599.00' }], total: '599.00', remark,
    buyer: { name: '王五', phone: '13812345678' }, address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号3幢501室' } };
  return { raw, order: { source: 'generic', externalId: id, channel: 'douyin', createdAt: raw.created_at, status: 'paid', buyer: raw.buyer, address: raw.address,
    items: raw.items, total: '599.00', paid: '599.00', currency: 'CNY', remark, presale: false, logistics: { intercepted: false } } };
}
function batch(poison) {
  const b = Array.from({ length: B }, () => order());
  if (poison) b[Math.floor(Math.random() * B)] = order('POISON');
  return b;
}

async function perRow(pool, items) {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    let refused = 0;
    for (const it of items) {
      await c.query('SAVEPOINT r');
      try {
        await upsertOrders(c, [it]);
        await c.query('RELEASE SAVEPOINT r');
      } catch {
        await c.query('ROLLBACK TO SAVEPOINT r');
        refused++;
      }
    }
    await c.query('COMMIT');
    if (refused !== 1) throw new Error(`per-row refused ${refused}`);
  } finally {
    c.release();
  }
}

async function main() {
  await withPg(url('postgres'), (c) => c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`));
  await migrate(url(DB));
  const pool = new pg.Pool({ connectionString: url(DB), max: 4 });
  try {
    await pool.query(`ALTER TABLE orders ADD CONSTRAINT poison CHECK (data->>'remark' IS DISTINCT FROM 'POISON')`);
    const intake = new OrderIntake({ pool, trigger: { enqueue: async () => undefined }, logger: pino({ level: 'silent' }), maxBatch: 5000, maxConcurrentFlushes: 1, maxPending: 1e6 });
    const bisect = async () => {
      const r = await intake.ingest(batch(true), { via: 'pull', keep: false });
      if (r.filter((x) => x.outcome === 'refused').length !== 1) throw new Error('bisect did not isolate exactly one order');
    };
    const time = async (fn) => {
      for (let i = 0; i < 5; i++) await fn();
      const t = performance.now();
      for (let i = 0; i < ROUNDS; i++) await fn();
      return (performance.now() - t) / ROUNDS;
    };
    const load = loadAverage();
    const clean = await time(() => upsertOrders(pool, batch(false)));
    const results = { clean, bisect: await time(bisect), 'per-row': await time(() => perRow(pool, batch(true))) };
    console.log(`bench:isolation — batch ${B}, ${ROUNDS} rounds each; load average ${load.join(' ')} → ${loadAverage().join(' ')}`);
    for (const [k, ms] of Object.entries(results)) console.log(`  ${k.padEnd(8)} ${ms.toFixed(2).padStart(9)} ms per batch  ${(ms / clean).toFixed(2)} × clean`);
  } finally {
    await pool.end();
    await withPg(url('postgres'), (c) => c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`));
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
