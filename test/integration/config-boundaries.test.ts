// Issue 13 point 9: what the config check accepts must work at run time. Every numeric key of
// orderops.yml at its boundaries (and a fraction where fractions are allowed) goes through a real
// start, and the code that uses each value then runs: an order is processed (SLA minutes, repeats),
// the backlog check runs (threshold_minutes reached an integer column: 0.1 failed every check),
// the silence check and the consistency report run. Nothing may be logged as an error. Values
// outside a key's range are refused at start with file:line and the key.
import { Writable } from 'node:stream';
import pg from 'pg';
import pino from 'pino';
import { stringify } from 'yaml';
import { checkBacklog } from '../../src/actions/check-backlog';
import { checkSilence } from '../../src/actions/check-silence';
import { makeConsistencyReport } from '../../src/actions/inventory/consistency-report';
import { loadSettings } from '../../src/config/load-file';
import type { ConfigProblem } from '../../src/config/config-errors';
import { writeConfig } from '../helpers/config-file';
import { eventually, genericOrder, postOrders, startTestApp } from '../helpers/test-app';

interface NumericKey {
  /** Path in orderops.yml; `shops.0` and `inventory.pools.live` are built by `build`. */
  path: string;
  min: number;
  max: number;
  /** Fractions allowed (minutes, shares, a goal in %), else whole numbers only. */
  fraction: boolean;
  /** The smallest value above `min` for keys whose range is open at `min` (positive). */
  openMin?: boolean;
}

const WEEK = 7 * 24 * 60;
const KEYS: NumericKey[] = [
  { path: 'intake.max_batch', min: 1, max: 5000, fraction: false },
  { path: 'intake.max_concurrent_flushes', min: 1, max: 16, fraction: false },
  { path: 'intake.max_pending', min: 100, max: 1_000_000, fraction: false },
  { path: 'processing.concurrency', min: 1, max: 64, fraction: false },
  { path: 'processing.sweep_seconds', min: 5, max: 3600, fraction: false },
  { path: 'escalation.level1.repeat_every_minutes', min: 0, max: WEEK, fraction: true, openMin: true },
  { path: 'escalation.level1.max_repeats', min: 0, max: 50, fraction: false },
  { path: 'escalation.level2.repeat_every_minutes', min: 0, max: WEEK, fraction: true, openMin: true },
  { path: 'escalation.level2.max_repeats', min: 0, max: 50, fraction: false },
  { path: 'backlog.interval_seconds', min: 5, max: 3600, fraction: false },
  { path: 'backlog.list_oldest', min: 1, max: 20, fraction: false },
  { path: 'backlog.stages.pending.threshold_minutes', min: 0, max: WEEK, fraction: true, openMin: true },
  { path: 'backlog.stages.packed.threshold_minutes', min: 0, max: WEEK, fraction: true, openMin: true },
  { path: 'taobao_tmc.poll_seconds', min: 1, max: 600, fraction: false },
  { path: 'taobao_tmc.quantity', min: 1, max: 200, fraction: false },
  { path: 'storm.max_cards', min: 1, max: 1000, fraction: false },
  { path: 'storm.window_seconds', min: 1, max: 3600, fraction: false },
  { path: 'storm.quiet_seconds', min: 1, max: 86_400, fraction: false },
  { path: 'storm.list', min: 1, max: 20, fraction: false },
  { path: 'inventory.low_stock_threshold', min: 0, max: 1_000_000_000, fraction: false },
  { path: 'inventory.tolerance.stock', min: 0, max: 1_000_000_000, fraction: false },
  { path: 'inventory.report.goal', min: 0, max: 100, fraction: true },
  { path: 'inventory.report.worst', min: 1, max: 50, fraction: false },
  { path: 'inventory.pools.live.reserve', min: 0, max: 1_000_000_000, fraction: false },
  { path: 'inventory.pools.share.weight', min: 0, max: 1, fraction: true, openMin: true },
  { path: 'rules.vague_address.min_detail_length', min: 0, max: 50, fraction: false },
  { path: 'rules.routes.vague_address.claim_minutes', min: 0, max: WEEK, fraction: true, openMin: true },
  { path: 'rules.routes.vague_address.resolve_minutes', min: 0, max: WEEK, fraction: true, openMin: true },
  { path: 'shops.0.reconcile.every_minutes', min: 5, max: 1440, fraction: false },
  { path: 'shops.0.reconcile.window_minutes', min: 10, max: WEEK, fraction: false },
  { path: 'shops.0.silence.minutes', min: 0, max: WEEK, fraction: true, openMin: true },
];

/** The file around the numbers: what each numeric key needs beside it to be valid. */
function build(values: Record<string, number>): string {
  const doc: Record<string, any> = {
    locale: 'en',
    inventory: { enabled: true, pools: { live: { channels: ['douyin'], reserve: 30 }, share: { channels: ['taobao'], weight: 0.3 } } },
    rules: { routes: { vague_address: { team: 'service' } } },
    shops: [{ id: 'bound-shop', source: 'douyin', token_env: 'BOUND_TOKEN', reconcile: { enabled: false }, silence: { minutes: 60 } }],
  };
  for (const [path, v] of Object.entries(values)) {
    const parts = path.split('.');
    let o = doc;
    for (const p of parts.slice(0, -1)) o = o[p] ??= {};
    o[parts.at(-1)!] = v;
  }
  return stringify(doc);
}

const lowest = (k: NumericKey) => (k.openMin ? (k.fraction ? 0.001 : k.min + 1) : k.min);
const fractionOf = (k: NumericKey) => (k.path.endsWith('weight') ? 0.3 : k.path.endsWith('goal') ? 99.5 : 0.1);

describe('every numeric key at its boundaries, through a real start', () => {
  const runs: [string, (k: NumericKey) => number][] = [
    ['its lowest value', lowest],
    ['its highest value', (k) => k.max],
    ['a fraction where fractions are allowed (else its lowest)', (k) => (k.fraction ? fractionOf(k) : lowest(k))],
  ];

  it.each(runs)('%s: starts, and every consumer of the values runs without an error', async (_label, pick) => {
    const file = writeConfig(build(Object.fromEntries(KEYS.map((k) => [k.path, pick(k)]))));
    const settings = loadSettings(file);
    const errors: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { errors.push(String(chunk)); done(); } });
    const app = await startTestApp({ ORDEROPS_CONFIG: file }, { logger: pino({ level: 'error' }, sink) });
    const db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 2 });
    try {
      // Processing: rules, SLA due times from the route's minutes, escalation plans from the repeats.
      const order = genericOrder({ address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' } });
      expect((await postOrders(app.url, order)).status).toBe(200);
      await eventually(async () => (await db.query(
        `SELECT 1 FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1 AND e.type = 'vague_address'`, [order.id])).rows[0], 15_000, 'the exception');

      // The backlog check, with an order idle past every threshold.
      await db.query(`UPDATE orders SET stage = 'pending', stage_changed_at = now() - interval '8 days' WHERE external_id = $1`, [order.id]);
      await checkBacklog({ pool: app.pool, clock: { now: () => new Date() }, backlog: settings.backlog });
      const alert = (await db.query(`SELECT threshold_minutes FROM backlog_alerts WHERE stage = 'pending' AND status = 'open' ORDER BY id DESC LIMIT 1`)).rows[0];
      expect(alert?.threshold_minutes).toBe(settings.backlog.stages.pending.thresholdMinutes);

      // The silence check and the consistency report.
      await checkSilence({ pool: app.pool, clock: { now: () => new Date() }, shops: settings.shops, timezone: settings.timezone });
      await makeConsistencyReport(app.inventory.reports, { trigger: 'api' });
      await db.query(`DELETE FROM consistency_reports`); // one a day: let the next run make its own
      await db.query(`UPDATE backlog_alerts SET status = 'cleared', cleared_at = now()`);
      expect(errors).toEqual([]);
    } finally {
      await app.close();
      await db.end();
    }
  });
});

describe('a value outside its key\'s range is refused at start, with file:line and the key', () => {
  const cases = KEYS.flatMap((k) => [
    [k.path, k.openMin ? k.min : k.min - 1] as const,
    [k.path, k.max + (k.fraction ? 0.5 : 1)] as const,
    ...(k.fraction ? [] : [[k.path, k.min + 0.5] as const]),
  ]);

  it.each(cases)('%s: %d', (path, value) => {
    const file = writeConfig(build({ [path]: value }));
    let err: { details?: unknown; message: string } | undefined;
    try {
      loadSettings(file);
    } catch (e) {
      err = e as { details?: unknown; message: string };
    }
    expect(err).toBeDefined();
    const problems = err!.details as ConfigProblem[];
    expect(problems.map((p) => p.key)).toEqual([path]);
    expect(err!.message).toMatch(new RegExp(`orderops\\.yml:\\d+ ${path.replace(/\./g, '\\.')}: `));
  });
});
