import nock from 'nock';
import pg from 'pg';
import pino from 'pino';
import { Queue } from 'bullmq';
import { eventually, startTestApp, testEnv, type TestApp } from '../helpers/test-app';
import { onlyLoopback, restoreNet } from '../helpers/loopback-only';
import { writeConfig } from '../helpers/config-file';
import { fixture } from '../unit/platforms/load-fixture';
import { eventSign } from '../../src/integrations/platforms/douyin/sign';
import { shopifyHmac } from '../../src/integrations/platforms/shopify/sign';
import { configuredPullers } from '../../src/integrations/platforms/pullers';
import { reconcileScheduled, reconcileShop, type ReconcileDeps, type ReconcileSummary } from '../../src/actions/reconcile-shop';
import { enqueueCard } from '../../src/jobs/card-jobs';
import { QUEUE_RECONCILE } from '../../src/jobs/reconcile-jobs';
import { fixedClock } from '../../src/domain/ports';
import { reconcileCommand } from '../../src/cli/reconcile';
import type { ShopSettings } from '../../src/domain/reconcile/shop';

// Card posts go through the card queue behind the ingested orders' own cards: allow for a loaded machine.
jest.setTimeout(90_000);

// The seed's storm against a faked Douyin order.searchList (and a faked Shopify GraphQL API), with
// the real app: real Postgres, real Redis, the real intake, workers and the local chat channel.

const DY = { appKey: '3409409348479354011', appSecret: '2ad2355c-01d0-11f8-91dc-05a8cd1054b1' };
const SHOPIFY_SECRET = 'hush';
const DOUYIN = 'https://douyin.test';
const TOKENS = { DY_TOKEN_FLAKY: 'tok-flaky', DY_TOKEN_STORM: 'tok-storm', DY_TOKEN_FAIL: 'tok-fail', DY_TOKEN_CLI: 'tok-cli', DY_TOKEN_SCHED: 'tok-sched', SHOPIFY_TOKEN_US: 'shpat_us' };
const CONFIG = writeConfig(`
locale: en
shops:
  - { id: storm-shop, source: douyin, name: Home flagship, token_env: DY_TOKEN_STORM, reconcile: { enabled: false } }
  - { id: fail-shop, source: douyin, token_env: DY_TOKEN_FAIL, reconcile: { enabled: false } }
  - { id: flaky-shop, source: douyin, token_env: DY_TOKEN_FLAKY, reconcile: { enabled: false } }
  - { id: cli-shop, source: douyin, token_env: DY_TOKEN_CLI, reconcile: { enabled: false } }
  - { id: sched-shop, source: douyin, token_env: DY_TOKEN_SCHED, team: warehouse, reconcile: { every_minutes: 30, window_minutes: 60 } }
  - { id: us-store, source: shopify, token_env: SHOPIFY_TOKEN_US, shop_domain: us-store.myshopify.com, reconcile: { enabled: false } }
`);
const ENV = { ...TOKENS, DOUYIN_APP_KEY: DY.appKey, DOUYIN_APP_SECRET: DY.appSecret, DOUYIN_API_URL: DOUYIN, SHOPIFY_WEBHOOK_SECRET: SHOPIFY_SECRET, ORDEROPS_CONFIG: CONFIG };

const T0 = Date.parse('2026-01-08T12:00:00Z'); // 20:00 in Beijing, the live stream
const sec = (ms: number) => Math.floor(ms / 1000);

let app: TestApp;
let db: pg.Pool;

beforeAll(async () => {
  onlyLoopback();
  fakeDouyin('tok-sched', []); // the scheduled shop's platform has nothing: a quiet run
  app = await startTestApp(ENV);
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
});
afterAll(async () => {
  await app.close();
  await db.end();
  restoreNet();
});

const shopOf = (id: string): ShopSettings => app.config.settings.shops.find((s) => s.id === id)!;
const clock = fixedClock('2026-01-08T13:05:00Z');
const deps = (over: Partial<ReconcileDeps> = {}): ReconcileDeps => ({
  pool: app.pool, intake: app.intake, pullers: configuredPullers(app.config.platforms, app.config.shopTokens), clock,
  logger: pino({ level: 'silent' }), cardChanged: (key, version) => enqueueCard(app.cardQueues, key, version),
  sleep: async () => undefined, ...over,
});
async function run(shopId: string, since: number, until: number, over: Partial<ReconcileDeps> = {}, dryRun = false): Promise<ReconcileSummary> {
  const r = await reconcileShop(deps(over), { shop: shopOf(shopId), since: new Date(since), until: new Date(until), dryRun });
  if (!r.ok) throw new Error(r.reason);
  return r.run;
}

/** A paid Douyin shop order as order.searchList lists it (a clean one: no remark, a full address). */
const base = fixture<Record<string, Record<string, unknown>>>('douyin', 'orders.json')['paid, two lines, masked receiver, urgent buyer note']!;
function dyOrder(id: string, updateTime: number): Record<string, unknown> {
  return {
    ...base, order_id: id, buyer_words: '', update_time: updateTime, pay_time: updateTime - 5, create_time: updateTime - 60,
    mask_post_addr: { ...(base.mask_post_addr as object), detail: '文三路90号3幢501室' },
  };
}

/**
 * A stand-in for order.searchList of one shop (told apart by its access token): filters by
 * update_time (both ends inclusive), sorts ascending, pages from 0. `fail` can answer a request
 * with an HTTP error instead.
 */
function fakeDouyin(token: string, orders: Record<string, unknown>[], fail?: (p: { page: number; start: number; end: number }) => number | undefined) {
  const calls: { page: number; start: number; end: number; status: number }[] = [];
  nock(DOUYIN)
    .persist()
    .post('/order/searchList')
    .query((q) => q.access_token === token)
    .reply((_uri, body) => {
      const p = (typeof body === 'string' ? JSON.parse(body) : body) as { page: number; size: number; update_time_start: number; update_time_end: number };
      const status = fail?.({ page: p.page, start: p.update_time_start, end: p.update_time_end });
      calls.push({ page: p.page, start: p.update_time_start, end: p.update_time_end, status: status ?? 200 });
      if (status) return [status, `<html>${status} Bad Gateway</html>`];
      const inWindow = orders
        .filter((o) => (o.update_time as number) >= p.update_time_start && (o.update_time as number) <= p.update_time_end)
        .sort((a, b) => (a.update_time as number) - (b.update_time as number));
      const list = inWindow.slice(p.page * p.size, p.page * p.size + p.size);
      return [200, { code: 10000, msg: 'success', data: { page: p.page, size: p.size, total: inWindow.length, shop_order_list: list } }];
    });
  return calls;
}

async function pushDouyin(messages: { tag: string; msgId: string; data: string }[]) {
  const body = `[${messages.map((m) => `{"tag":"${m.tag}","msg_id":"${m.msgId}","data":${JSON.stringify(m.data)}}`).join(',')}]`;
  const res = await fetch(`${app.url}/webhooks/orders/douyin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'app-id': DY.appKey, 'event-sign': eventSign(DY.appKey, body, DY.appSecret) },
    body,
  });
  expect(res.status).toBe(200);
}

const countStored = async (source: string, ids: string[]) =>
  Number((await db.query('SELECT count(*) FROM orders WHERE source = $1 AND external_id = ANY($2::text[])', [source, ids])).rows[0].count);
const runRow = async (id: number) => (await db.query('SELECT * FROM reconcile_runs WHERE id = $1', [id])).rows[0];
/** The reconcile card as the local channel shows it, once its post (or update) to `version` landed. */
const localCard = (runId: number, version = 1) =>
  eventually(async () => {
    const { rows } = await db.query(
      `SELECT m.state, m.rendered_version, c.card FROM chat_messages m JOIN local_cards c ON c.card_key = m.card_key
       WHERE m.card_key = $1 AND m.platform = 'local'`,
      [`reconcile:${runId}`],
    );
    return rows[0] && rows[0].state === 'posted' && rows[0].rendered_version >= version ? rows[0] : undefined;
  }, 40_000, `reconcile card ${runId} v${version}`); // the card job may queue behind the ingest's cards on a loaded machine

describe('the seed storm: Douyin shows 500 paid orders, the ERP got 412', () => {
  const ids = Array.from({ length: 500 }, (_, i) => `6930000000${String(i).padStart(9, '0')}`);
  // Updated 7 s apart from 20:00; order 257 sits exactly on the 20:30 edge of two 30-minute sub-windows.
  const times = ids.map((_, i) => sec(T0) + (i === 257 ? 1800 : i * 7));
  const orders = ids.map((id, i) => dyOrder(id, times[i]!));
  const lost = new Set(ids.filter((_, i) => i % 5 === 0 && i < 440));
  let calls: ReturnType<typeof fakeDouyin>;

  beforeAll(async () => {
    calls = fakeDouyin('tok-storm', orders);
    // The 412 that made it: pushed as Douyin pushes them (tag 101, signed), 50 per request.
    const pushed = ids.map((id, i) => ({ id, i })).filter(({ id }) => !lost.has(id));
    for (let k = 0; k < pushed.length; k += 50) {
      await pushDouyin(pushed.slice(k, k + 50).map(({ id, i }) => ({
        tag: '101',
        msgId: `7300000000${String(i).padStart(9, '0')}`,
        data: `{"biz":2,"order_status":2,"order_type":0,"p_id":${id},"pay_amount":63800,"pay_time":${times[i]! - 5},"pay_type":1,"shop_id":323423}`,
      })));
    }
    expect(await countStored('douyin', ids)).toBe(412);
  }, 60_000);

  it('a dry run reports the 88 missing and stores nothing', async () => {
    const r = await run('storm-shop', T0, T0 + 3600_000, {}, true);
    expect(r.figures).toMatchObject({ platform: 500, had: 412, missing: 88, ingested: 0 });
    expect(r.card).toEqual({ kind: 'none' });
    expect(await countStored('douyin', ids)).toBe(412);
  });

  let first: ReconcileSummary;

  it('pulls every page, ingests the 88 through the intake, and ends with all 500 stored exactly once', async () => {
    calls.length = 0;
    first = await run('storm-shop', T0, T0 + 3600_000);
    expect(first.complete).toBe(true);
    expect(first.figures).toEqual({ platform: 500, had: 412, missing: 88, ingested: 88, updated: 412, itemErrors: 0, pages: 6 });
    // Two 30-minute sub-windows, three pages each (258 and 243 orders; the edge order is listed in both).
    expect(calls.map((c) => `${c.start - sec(T0)}:${c.page}`)).toEqual(['0:0', '0:1', '0:2', '1800:0', '1800:1', '1800:2']);
    const { rows } = await db.query(
      `SELECT external_id, count(*) OVER () AS n, jsonb_array_length(data->'items') AS items, total FROM orders WHERE source = 'douyin' AND external_id = ANY($1::text[])`,
      [ids],
    );
    expect(rows).toHaveLength(500);
    // A pushed (thin) order now has what only the pull carries: its items.
    expect(rows.find((r) => r.external_id === ids[1])).toMatchObject({ items: 2, total: '638.00' });

    const row = await runRow(first.runId);
    expect(row).toMatchObject({ status: 'complete', shop_id: 'storm-shop', platform_count: 500, had_before: 412, ingested: 88, card_status: 'recovered', trigger: 'cli' });
    expect(row.recovered).toHaveLength(10);
    expect(row.recovered.every((id: string) => lost.has(id))).toBe(true);
    const audit = await db.query(`SELECT action, details FROM audit_log WHERE entity = 'reconcile_run' AND entity_id = $1`, [first.runId]);
    expect(audit.rows).toEqual([expect.objectContaining({ action: 'reconcile.complete', details: expect.objectContaining({ had: 412, ingested: 88 }) })]);
  }, 60_000);

  it('posts the reconcile card "platform has 500, we had 412, 88 recovered" to the shop team', async () => {
    const posted = await localCard(first.runId);
    expect(posted.card).toMatchObject({ kind: 'reconcile', status: 'recovered', platformCount: 500, hadBefore: 412, ingested: 88, shopName: 'Home flagship' });
    const local = await db.query(`SELECT channel FROM local_cards WHERE card_key = $1`, [`reconcile:${first.runId}`]);
    expect(local.rows).toEqual([{ channel: 'review' }]);
  });

  it('a second run over the same window ingests nothing and posts nothing', async () => {
    const second = await run('storm-shop', T0, T0 + 3600_000);
    expect(second.complete).toBe(true);
    expect(second.figures).toMatchObject({ platform: 500, had: 500, missing: 0, ingested: 0, updated: 0 });
    expect(second.card).toEqual({ kind: 'none' });
    expect((await runRow(second.runId)).card_status).toBeNull();
    expect(await countStored('douyin', ids)).toBe(500);
  });

  it('a run over its page budget stops at a sub-window edge, incomplete, and the next one resumes there', async () => {
    const r = await run('storm-shop', T0, T0 + 3600_000, { maxPages: 1 });
    expect(r).toMatchObject({ complete: false, stopReason: 'budget', resumeFrom: new Date(T0 + 1800_000).toISOString(), card: { kind: 'none' } });
    expect(r.figures).toMatchObject({ pages: 3, platform: 258, had: 258 });
    const next = await reconcileScheduled(deps({ clock: fixedClock(new Date(T0 + 3660_000)) }), { ...shopOf('storm-shop'), reconcile: { enabled: true, everyMinutes: 30, windowMinutes: 10 } });
    if (!next.ok) throw new Error(next.reason);
    expect(next.run.since).toBe(new Date(T0 + 1800_000).toISOString());
    expect(next.run).toMatchObject({ complete: true, covered: [r.runId] });
  });
});

describe('an API error mid-way', () => {
  it('is retried from the last finished sub-window: nothing lost, nothing stored twice, the run complete', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `6960000000${String(i).padStart(9, '0')}`);
    const orders = ids.map((id, i) => dyOrder(id, sec(T0) + i * 14)); // 129 in 20:00–20:30, 121 in 20:30–21:00
    let failed = 0;
    const calls = fakeDouyin('tok-flaky', orders, (p) => (p.start === sec(T0) + 1800 && p.page === 1 && failed++ === 0 ? 503 : undefined));
    const r = await run('flaky-shop', T0, T0 + 3600_000);
    expect(r).toMatchObject({ complete: true, retries: 1, failedPages: 0, resumeFrom: null, card: { kind: 'post', status: 'recovered' } });
    expect(r.figures).toMatchObject({ platform: 250, had: 0, ingested: 250, pages: 4 });
    // The first sub-window is not read again; the second is read again from its first page.
    expect(calls.map((c) => `${c.start - sec(T0)}:${c.page}:${c.status}`)).toEqual(['0:0:200', '0:1:200', '1800:0:200', '1800:1:503', '1800:0:200', '1800:1:200']);
    expect(await countStored('douyin', ids)).toBe(250);
  });
});

describe('a page that keeps failing', () => {
  const ids = Array.from({ length: 150 }, (_, i) => `6940000000${String(i).padStart(9, '0')}`);
  const orders = ids.map((id, i) => dyOrder(id, sec(T0) + i * 10)); // all inside 20:00–20:30
  let failing = true;

  beforeAll(() => {
    fakeDouyin('tok-fail', orders, (p) => (failing && p.page === 1 ? 502 : undefined));
  });

  let firstRun: ReconcileSummary;

  it('is retried, then recorded: the run is incomplete, says where to resume, and posts an open card', async () => {
    firstRun = await run('fail-shop', T0, T0 + 1800_000, { attempts: 2 });
    expect(firstRun.complete).toBe(false);
    expect(firstRun).toMatchObject({ stopReason: 'page_failed', failedPages: 1, retries: 1, resumeFrom: new Date(T0).toISOString() });
    expect(firstRun.figures).toMatchObject({ platform: 100, had: 0, ingested: 100 });
    expect(firstRun.problems).toEqual([expect.objectContaining({ kind: 'page', code: 'http_502', retryable: true })]);
    expect(firstRun.card).toEqual({ kind: 'post', status: 'open' });
    expect(await runRow(firstRun.runId)).toMatchObject({ status: 'incomplete', failed_pages: 1, card_status: 'open', stop_reason: 'page_failed' });
    const posted = await localCard(firstRun.runId);
    expect(posted.card).toMatchObject({ status: 'open', resumeFrom: new Date(T0).toISOString(), problems: [expect.stringContaining('http_502')] });
  });

  let folded: ReconcileSummary;

  it('another failing run that recovers nothing updates the open card instead of posting a new one', async () => {
    folded = await run('fail-shop', T0, T0 + 1800_000, { attempts: 1 });
    expect(folded.complete).toBe(false);
    expect(folded.figures).toMatchObject({ had: 100, ingested: 0 });
    expect(folded.card).toEqual({ kind: 'fold', into: firstRun.runId });
    expect(await runRow(firstRun.runId)).toMatchObject({ attempts: 2, version: 2 });
    const updated = await localCard(firstRun.runId, 2);
    expect(updated.card).toMatchObject({ status: 'open', attempts: 2 });
    expect((await db.query(`SELECT count(*) FROM chat_messages WHERE card_key = $1`, [`reconcile:${folded.runId}`])).rows[0].count).toBe(0);
  });

  it('the next scheduled run resumes from where it stopped, without loss or duplicates, and clears the card', async () => {
    failing = false;
    const r = await reconcileScheduled(deps({ clock: fixedClock('2026-01-08T12:45:00Z') }), shopOf('fail-shop'));
    if (!r.ok) throw new Error(r.reason);
    // The sliding window (12:44 back 180 min) reaches past the resume point.
    expect(r.run.since <= new Date(T0).toISOString()).toBe(true);
    expect(r.run.complete).toBe(true);
    expect(r.run.figures).toMatchObject({ platform: 150, had: 100, ingested: 50 });
    expect(r.run.covered.sort()).toEqual([firstRun.runId, folded.runId].sort());
    expect(await countStored('douyin', ids)).toBe(150);
    expect(await runRow(firstRun.runId)).toMatchObject({ card_status: 'cleared', covered_by: r.run.runId, version: 3 });
    const cleared = await localCard(firstRun.runId, 3);
    expect(cleared.card).toMatchObject({ status: 'cleared', clearedBy: r.run.runId });
  });
});

describe('orderops reconcile (the command)', () => {
  const ids = Array.from({ length: 120 }, (_, i) => `6950000000${String(i).padStart(9, '0')}`);
  const orders = ids.map((id, i) => dyOrder(id, sec(T0) + i * 10));
  let failing = true;
  const lines: string[] = [];
  const argv = ['--source', 'douyin', '--shop', 'cli-shop', '--since', '2026-01-08T20:00:00+08:00', '--until', '2026-01-08T20:30:00+08:00'];
  const opts = () => ({
    env: testEnv({ ...ENV, LOG_LEVEL: 'silent' }), print: (l: string) => lines.push(l), printError: (l: string) => lines.push(`ERR ${l}`),
    clock, progress: 'none' as const, sleep: async () => undefined,
  });

  beforeAll(() => {
    fakeDouyin('tok-cli', orders, (p) => (failing && p.page === 1 ? 503 : undefined));
  });

  it('exits 1 when a page fails, printing the summary and how to resume', async () => {
    lines.length = 0;
    expect(await reconcileCommand(argv, opts())).toBe(1);
    expect(lines[0]).toBe('Reconcile cli-shop (Douyin) · 2026-01-08 20:00:00 → 2026-01-08 20:30:00');
    expect(lines).toContain('  platform has 100 · we had 0 · missing 100 · ingested 100 · updated 0 · 1 pages');
    expect(lines.some((l) => l.startsWith('  ✗ INCOMPLETE (run #'))).toBe(true);
    expect(lines).toContain('  resume with: orderops reconcile --source douyin --shop cli-shop --since 2026-01-08T12:00:00.000Z --until 2026-01-08T12:30:00.000Z');
  });

  it('exits 0 once the window reads completely, and refuses bad usage with 2', async () => {
    failing = false;
    lines.length = 0;
    expect(await reconcileCommand(argv, opts())).toBe(0);
    expect(lines).toContain('  platform has 120 · we had 100 · missing 20 · ingested 20 · updated 0 · 2 pages');
    expect(await countStored('douyin', ids)).toBe(120);
    expect(await reconcileCommand(['--source', 'douyin', '--shop', 'cli-shop'], opts())).toBe(2);
    expect(lines.at(-1)).toMatch(/--since is required/);
    expect(await reconcileCommand(['--source', 'shopify', '--shop', 'cli-shop', '--since', '1h'], opts())).toBe(2);
  });
});

describe('Shopify: GraphQL cursor pages', () => {
  const node = fixture<Record<string, unknown>>('shopify', 'graphql-order-node.json');
  const ids = ['7100000000000000001', '7100000000000000002', '7100000000000000003', '7100000000000000004', '7100000000000000005'];
  const nodes = ids.map((id, i) => ({ ...node, id: `gid://shopify/Order/${id}`, legacyResourceId: id, name: `#${2001 + i}`, note: null, updatedAt: `2026-01-08T12:0${i}:00Z` }));

  it('follows endCursor until hasNextPage is false and recovers the orders never pushed', async () => {
    // Two were pushed by webhook, as Shopify does.
    for (const id of ids.slice(0, 2)) {
      const body = `{"id":${id},"name":"#x","created_at":"2026-01-08T12:01:02Z","updated_at":"2026-01-08T12:01:05Z","currency":"USD","financial_status":"paid","fulfillment_status":null,"total_price":"403.00","line_items":[{"id":1,"sku":"IPOD2008PINK","quantity":1,"price":"403.00"}]}`;
      const res = await fetch(`${app.url}/webhooks/orders/shopify`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json', 'x-shopify-hmac-sha256': shopifyHmac(SHOPIFY_SECRET, body), 'x-shopify-topic': 'orders/create',
          'x-shopify-shop-domain': 'us-store.myshopify.com', 'x-shopify-webhook-id': `wh-${id}`,
        },
        body,
      });
      expect(res.status).toBe(200);
    }
    const afters: (string | null)[] = [];
    const fake = () =>
      nock('https://us-store.myshopify.com', { reqheaders: { 'x-shopify-access-token': 'shpat_us' } })
        .post('/admin/api/2025-01/graphql.json')
        .times(3)
        .reply((_uri, body) => {
          const b = (typeof body === 'string' ? JSON.parse(body) : body) as { variables: { after: string | null } };
          afters.push(b.variables.after);
          // The platform pages by two, whatever `first` asks.
          const at = b.variables.after === null ? 0 : Number(b.variables.after.slice(1));
          const page = nodes.slice(at, at + 2);
          return [200, { data: { orders: { pageInfo: { hasNextPage: at + 2 < nodes.length, endCursor: `c${at + 2}` }, nodes: page } } }];
        });
    fake();
    const r = await run('us-store', T0, T0 + 3600_000);
    expect(afters).toEqual([null, 'c2', 'c4']);
    expect(r.complete).toBe(true);
    expect(r.figures).toMatchObject({ platform: 5, had: 2, ingested: 3, pages: 3 });
    const stored = await db.query(`SELECT external_id, shop FROM orders WHERE source = 'shopify' AND external_id = ANY($1::text[]) ORDER BY external_id`, [ids]);
    expect(stored.rows).toEqual(ids.map((id) => ({ external_id: id, shop: 'us-store.myshopify.com' })));

    afters.length = 0;
    fake();
    const again = await run('us-store', T0, T0 + 3600_000);
    expect(again.figures).toMatchObject({ platform: 5, had: 5, ingested: 0, updated: 0 });
  });
});

describe('the schedule', () => {
  it('has one job scheduler per enabled shop on the reconcile queue, and its run is quiet when nothing is missing', async () => {
    const queue = new Queue(QUEUE_RECONCILE, { connection: app.redis, prefix: app.config.queuePrefix });
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => ({ key: s.key, every: Number(s.every) }))).toEqual([{ key: 'reconcile:sched-shop', every: 30 * 60_000 }]);
    } finally {
      await queue.close();
    }
    // An `every` scheduler fires at once: the first scheduled run happens at start.
    const row = await eventually(async () => {
      const { rows } = await db.query(`SELECT * FROM reconcile_runs WHERE shop_id = 'sched-shop' AND status <> 'running'`);
      return rows[0];
    }, 15_000, 'the scheduled run');
    expect(row).toMatchObject({ trigger: 'schedule', status: 'complete', platform_count: 0, card_status: null });
    expect(row.window_until.getTime() - row.window_since.getTime()).toBe(60 * 60_000);
  });
});
