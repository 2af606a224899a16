import pg from 'pg';
import iconv from 'iconv-lite';
import IORedis from 'ioredis';
import { Queue } from 'bullmq';
import type { Card, ChatPort, PostedMessage } from '../../src/domain/ports';
import { fixedClock } from '../../src/domain/ports';
import { nextDailyRun } from '../../src/domain/inventory/schedule';
import { makeConsistencyReport } from '../../src/actions/inventory/consistency-report';
import { decidePriceChange, publishDuePriceChanges, requestPriceChange } from '../../src/actions/inventory/price-changes';
import { JOB_CONSISTENCY_REPORT, QUEUE_INVENTORY, runInventoryJob } from '../../src/jobs/consistency-jobs';
import { enqueueCard } from '../../src/jobs/card-jobs';
import { loadInventoryCard } from '../../src/db/inventory-cards';
import { signBody } from '../../src/integrations/platforms/generic/signature';
import { eventually, startTestApp, TEST_SECRET, TEST_TOKEN, uid, type TestApp } from '../helpers/test-app';
import { writeConfig } from '../helpers/config-file';

jest.setTimeout(60_000);

function recordingPort(): ChatPort & { posts: { channel: string; messageId: string; card: Card }[]; updates: { messageId: string; card: Card }[] } {
  const posts: { channel: string; messageId: string; card: Card }[] = [];
  const updates: { messageId: string; card: Card }[] = [];
  let n = 0;
  return {
    platform: 'slack', posts, updates,
    channelFor: (team) => `C-${team}`,
    async postCard(channel: string, card: Card): Promise<PostedMessage> {
      const messageId = `m${++n}`;
      posts.push({ channel, messageId, card });
      return { channel, messageId };
    },
    async updateCard(message: PostedMessage, card: Card) {
      updates.push({ messageId: message.messageId, card });
    },
    async replyPrivately() {},
    async sendDirect() {
      return true;
    },
  };
}

const STAFF = [
  { id: 'inv-sup1', name: '主管甲', role: 'supervisor' },
  { id: 'inv-sup2', name: '主管乙', role: 'supervisor' },
  { id: 'inv-agent', name: '客服丙', role: 'agent' },
  { id: 'inv-owner', name: '张三', role: 'agent', slack: 'U0OWNER' },
];
const POOL_SKU = uid('RPOOL');

let app: TestApp;
let chat: ReturnType<typeof recordingPort>;
let db: pg.Pool;

beforeAll(async () => {
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
  chat = recordingPort();
  const config = writeConfig(`
staff:
${STAFF.map((s) => `  - { id: ${s.id}, name: ${s.name}, role: ${s.role}, team: warehouse${s.slack ? `, slack: ${s.slack}` : ''} }`).join('\n')}
inventory:
  tolerance: { stock: 1, price: "0.50" }
  report: { time: "09:00", timezone: Asia/Shanghai, goal: 99, worst: 3 }
  sku_pools:
    ${POOL_SKU}:
      douyin_live: { channels: [douyin], reserve: 30 }
`);
  app = await startTestApp({ ORDEROPS_CONFIG: config, ORDEROPS_LOCAL_CHANNEL: '0', ORDEROPS_PUBLIC_URL: 'https://ops.example.com' }, { chats: [chat] });
});
afterAll(async () => {
  await app.close();
  await db.end();
});
// Other test files sync their own staff lists into the shared table: make ours active again.
beforeEach(async () => {
  await db.query(`UPDATE staff SET active = true WHERE id = ANY($1)`, [STAFF.map((s) => s.id)]);
});

async function call(method: string, path: string, body?: unknown, token: string | null = TEST_TOKEN, raw?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${app.url}${path}`, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const text = await res.text();
  let json: any = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* CSV */
  }
  return { status: res.status, json, text, headers: res.headers };
}

async function postListings(body: unknown, opts: { secret?: string | null; raw?: string; source?: string } = {}) {
  const raw = opts.raw ?? JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const secret = opts.secret === undefined ? TEST_SECRET : opts.secret;
  if (secret !== null) headers['x-orderops-signature'] = signBody(secret, raw);
  const res = await fetch(`${app.url}/webhooks/listings/${opts.source ?? 'generic'}`, { method: 'POST', headers, body: raw });
  return { status: res.status, json: await res.json() as any };
}

const skuOf = async (sku: string) => (await db.query('SELECT sku, name, stock, price, owner, low_stock_threshold FROM skus WHERE sku = $1', [sku])).rows[0];

describe('PUT /api/skus', () => {
  it('needs the bearer token', async () => {
    expect((await call('PUT', '/api/skus', [{ sku: 'X', stock: 1 }], null)).status).toBe(401);
    const wrong = await call('PUT', '/api/skus', [{ sku: 'X', stock: 1 }], 'nope');
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toBe('orderops_unauthorized');
  });

  it('refuses the whole list with 422 and every row error when any row is bad; nothing changes', async () => {
    const good = uid('PUT');
    const res = await call('PUT', '/api/skus', { skus: [
      { sku: good, stock: 5 },
      { sku: uid('PUT'), stock: -1, price: 'cheap' },
      { stock: 3 },
      { sku: good, stock: 6 },
    ] });
    expect(res.status).toBe(422);
    expect(res.json.error).toBe('orderops_schema_invalid');
    expect(res.json.errors.map((e: { index: number; field: string }) => `${e.index}:${e.field}`)).toEqual(['1:stock', '1:price', '2:sku', '3:sku']);
    expect(await skuOf(good)).toBeUndefined();
    expect((await call('PUT', '/api/skus', undefined, TEST_TOKEN, '{"skus": [')).status).toBe(400);
    expect((await call('PUT', '/api/skus', [])).status).toBe(400);
  });

  it('upserts; an existing price is kept (prices change through approval) and reported', async () => {
    const a = uid('PUT');
    const b = uid('PUT');
    const first = await call('PUT', '/api/skus', [{ sku: a, stock: 5, price: '599', owner: 'inv-owner', name: '台灯' }, { sku: b, stock: 0 }]);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ ok: true, rows: 2, inserted: 2, updated: 0, below_threshold: 2, price_kept: [] });
    expect(await skuOf(a)).toEqual({ sku: a, name: '台灯', stock: 5, price: '599.00', owner: 'inv-owner', low_stock_threshold: null });
    const second = await call('PUT', '/api/skus', [{ sku: a, stock: 40, price: '499.00', low_stock_threshold: 3 }, { sku: b, stock: 0 }]);
    expect(second.json).toMatchObject({ inserted: 0, updated: 1, unchanged: 1, price_kept: [{ sku: a, master: '599.00', given: '499.00' }] });
    expect(second.json.note).toContain('/api/price-changes');
    expect(await skuOf(a)).toMatchObject({ stock: 40, price: '599.00', owner: 'inv-owner', low_stock_threshold: 3 });
  });
});

describe('PUT /api/skus with a CSV body', () => {
  const putCsv = async (bytes: Buffer, contentType: string) => {
    const res = await fetch(`${app.url}/api/skus`, { method: 'PUT', headers: { 'content-type': contentType, authorization: `Bearer ${TEST_TOKEN}` }, body: new Uint8Array(bytes) });
    return { status: res.status, json: (await res.json()) as any };
  };

  it('takes a GBK Excel export, detected without a charset, or declared with one', async () => {
    const [a, b] = [uid('GBK'), uid('GBK')];
    const text = `sku,name,stock,price\r\n${a},智能台灯（白色）,5,599.00\r\n${b},"护眼灯, 升级款",3,899.00\r\n`;
    const gbk = iconv.encode(text, 'gbk');
    expect(gbk.includes(Buffer.from('智能台灯'))).toBe(false); // really not UTF-8
    const detected = await putCsv(gbk, 'text/csv');
    expect(detected.status).toBe(200);
    expect(detected.json).toMatchObject({ ok: true, rows: 2, inserted: 2 });
    expect(await skuOf(a)).toMatchObject({ name: '智能台灯（白色）', stock: 5, price: '599.00' });
    expect(await skuOf(b)).toMatchObject({ name: '护眼灯, 升级款', stock: 3 });
    const declared = await putCsv(iconv.encode(`sku,stock\n${a},7\n`, 'gb18030'), 'text/csv; charset=GB18030');
    expect(declared.json).toMatchObject({ ok: true, updated: 1 });
  });

  it('answers 422 with line numbers for bad rows, 400 for a bad header, 415 for an unknown charset', async () => {
    const bad = await putCsv(iconv.encode(`sku,stock\n${uid('GBK')},5\n${uid('GBK')},负数\nonly-one-cell\n`, 'gbk'), 'text/csv');
    expect(bad.status).toBe(422);
    expect(bad.json.errors).toEqual([{ line: 4, field: '(row)', message: 'has 1 cells, the header has 2' }]);
    const invalid = await putCsv(Buffer.from(`sku,stock\n${uid('GBK')},5\n${uid('GBK')},x\n`), 'text/csv');
    expect(invalid.status).toBe(422);
    expect(invalid.json.errors).toEqual([expect.objectContaining({ line: 3, index: 1, field: 'stock' })]);
    expect((await putCsv(Buffer.from('code,qty\nA,1\n'), 'text/csv')).status).toBe(400);
    expect((await putCsv(Buffer.from('sku,stock\nA,1\n'), 'text/csv; charset=klingon')).status).toBe(415);
  });
});

describe('POST /webhooks/listings/generic', () => {
  const sku = uid('LST');
  it.each([
    ['no signature', { secret: null }, 401, 'orderops_signature_missing'],
    ['a signature made with another secret', { secret: 'other' }, 401, 'orderops_signature_invalid'],
    ['an unknown source', { source: 'nowhere' }, 404, 'orderops_unknown_source'],
  ])('refuses %s', async (_n, opts, status, code) => {
    const res = await postListings({ sku, platform: 'jd', stock: 1 }, opts);
    expect(res.status).toBe(status);
    expect(res.json.error).toBe(code);
  });

  it('answers 400 to signed bytes that are not JSON and 422 with each field, keeping both', async () => {
    expect((await postListings(null, { raw: '{"sku":' })).status).toBe(400);
    const bad = await postListings([{ sku, platform: 'jd', stock: 1 }, { sku, platform: 'jd' }, { platform: 'Tao Bao', stock: -1 }]);
    expect(bad.status).toBe(422);
    expect(bad.json.errors.map((e: { index: number; field: string }) => `${e.index}:${e.field}`)).toEqual(['1:stock', '2:sku', '2:platform', '2:stock']);
    const kept = await db.query(`SELECT http_status, reason FROM rejected_payloads WHERE id = $1`, [bad.json.rejection_id]);
    expect(kept.rows).toEqual([{ http_status: 422, reason: 'schema' }]);
    expect((await db.query('SELECT 1 FROM platform_listings WHERE sku = $1', [sku])).rowCount).toBe(0);
  });

  it('answers 413 to a body over 1 MiB', async () => {
    const res = await postListings(null, { raw: JSON.stringify({ sku, platform: 'jd', stock: 1, pad: 'x'.repeat(1_100_000) }) });
    expect(res.status).toBe(413);
  });

  it('stores what each platform shows; an older sighting never overwrites a newer one', async () => {
    const res = await postListings({ listings: [
      { sku, platform: 'jd', stock: 7, price: '599.00', seen_at: '2026-01-08T20:00:00+08:00' },
      { sku, platform: 'taobao', shop: 'tmall', price: 649 },
    ] });
    expect(res).toEqual({ status: 200, json: { ok: true, received: 2, stored: 2 } });
    const late = await postListings({ sku, platform: 'jd', stock: 99, seen_at: '2026-01-08T19:00:00+08:00' });
    expect(late.json.stored).toBe(0);
    const rows = await db.query('SELECT platform, shop, stock, price FROM platform_listings WHERE sku = $1 ORDER BY platform', [sku]);
    expect(rows.rows).toEqual([{ platform: 'jd', shop: '', stock: 7, price: '599.00' }, { platform: 'taobao', shop: 'tmall', stock: null, price: '649.00' }]);
  });
});

describe('the consistency report', () => {
  // The report covers every listing: this block owns the table while it runs.
  beforeEach(async () => {
    await db.query('DELETE FROM platform_listings');
  });

  async function seed() {
    const p = (n: string) => `${POOL_SKU}-${n}`;
    await call('PUT', '/api/skus', [
      { sku: p('A'), stock: 100, price: '599.00', owner: 'inv-owner' },
      { sku: p('B'), stock: 20, price: '99.00' },
      { sku: POOL_SKU, stock: 100, price: '10.00', owner: 'inv-owner' },
    ]);
    const at = '2026-01-09T08:00:00+08:00';
    await postListings([
      { sku: p('A'), platform: 'douyin', stock: 100, price: '599.00', seen_at: at }, // consistent
      { sku: p('A'), platform: 'jd', stock: 101, price: '599.40', seen_at: at }, // within tolerance (1 unit, 0.50)
      { sku: p('A'), platform: 'taobao', shop: 'tmall', stock: 100, price: '899.00', seen_at: at }, // price +300
      { sku: p('B'), platform: 'douyin', stock: 25, price: '99.00', seen_at: at }, // stock +5
      { sku: p('B'), platform: 'jd', stock: 20, seen_at: at }, // consistent (no price sent)
      { sku: POOL_SKU, platform: 'douyin', stock: 100, price: '10.00', seen_at: at }, // pool: douyin may sell 100
      { sku: POOL_SKU, platform: 'jd', stock: 70, price: '10.00', seen_at: at }, // others share 70
      { sku: POOL_SKU, platform: 'pinduoduo', stock: 100, price: '10.00', seen_at: at }, // shows the live stream's 30 too: +30
      { sku: uid('GHOST'), platform: 'jd', stock: 3, seen_at: at }, // not in the master
      ...Array.from({ length: 11 }, (_, i) => ({ sku: p('A'), platform: 'shop', shop: `s${i}`, stock: 100, price: '599.00', seen_at: at })),
    ]);
  }

  it('gives the exact rate, counts by platform and the worst deviations with owners; the CSV has every deviation', async () => {
    await seed();
    const res = await call('POST', '/api/reports/consistency');
    expect(res.status).toBe(201);
    const r = res.json.report;
    expect(r).toMatchObject({ checked: 20, consistent: 16, stockDeviations: 2, priceDeviations: 1, unknownSkus: 1, goal: 99, trigger: 'api' });
    expect(r.byPlatform).toEqual([
      { platform: 'douyin', checked: 3, consistent: 2, stockDeviations: 1, priceDeviations: 0 },
      { platform: 'jd', checked: 4, consistent: 3, stockDeviations: 0, priceDeviations: 0 },
      { platform: 'pinduoduo', checked: 1, consistent: 0, stockDeviations: 1, priceDeviations: 0 },
      { platform: 'shop', checked: 11, consistent: 11, stockDeviations: 0, priceDeviations: 0 },
      { platform: 'taobao', checked: 1, consistent: 0, stockDeviations: 0, priceDeviations: 1 },
    ]);
    // Worst first, by relative gap: the unknown SKU, +300 on 599 (0.50), +30 on an expected 70 (0.43); +5 on 20 is in the CSV.
    expect(r.worst.map((w: { platform: string; stockDiff: number | null; priceDiff: string | null }) => [w.platform, w.stockDiff, w.priceDiff])).toEqual([
      ['jd', null, null], ['taobao', 0, '300.00'], ['pinduoduo', 30, '0.00'],
    ]);

    const loaded = await loadInventoryCard(db, 'consistency', r.id);
    expect(loaded!.card).toMatchObject({ rate: 80, meetsGoal: false, moreCount: 1 });

    const csv = await call('GET', `/api/reports/consistency/${r.id}.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('sku,platform,shop,owner,in_master,expected_stock,listing_stock,stock_diff,master_price,listing_price,price_diff,stock_ok,price_ok,seen_at');
    expect(lines).toHaveLength(1 + 4);
    expect(lines.find((l) => l.includes(',pinduoduo,'))).toMatch(new RegExp(`^${POOL_SKU},pinduoduo,,inv-owner,true,70,100,30,10.00,10.00,0.00,false,true,`));
    expect((await call('GET', `/api/reports/consistency/${r.id}.csv`, undefined, null)).status).toBe(401);

    // The card's link works without the header (signed), and only for its report.
    const link = new URL(r.csvUrl);
    expect(link.origin).toBe('https://ops.example.com');
    expect((await call('GET', `${link.pathname}${link.search}`, undefined, null)).status).toBe(200);
    expect((await call('GET', `/api/reports/consistency/${r.id + 1}.csv${link.search}`, undefined, null)).status).toBe(401);
  });

  it('is stored per day, so the card compares today with yesterday', async () => {
    await seed();
    const deps = (iso: string) => ({ ...app.inventory.reports, clock: fixedClock(iso) });
    const yesterday = await makeConsistencyReport(deps('2031-05-01T01:00:00Z'), { trigger: 'schedule' });
    await db.query(`DELETE FROM platform_listings WHERE platform = 'taobao'`); // someone fixed the tmall price
    const today = await makeConsistencyReport(deps('2031-05-02T01:00:00Z'), { trigger: 'schedule' });
    expect([yesterday.report.reportDate, today.report.reportDate]).toEqual(['2031-05-01', '2031-05-02']);
    const card = (await loadInventoryCard(db, 'consistency', today.report.id))!.card;
    expect(card).toMatchObject({ date: '2031-05-02', checked: 19, consistent: 16, rate: 84.21, previous: { date: '2031-05-01', rate: 80 } });
  });

  it('is scheduled at 09:00 in the configured time zone, on its own queue, and made once per day', async () => {
    const connection = new IORedis(app.config.redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUE_INVENTORY, { connection, prefix: app.config.queuePrefix });
    try {
      const s = await queue.getJobScheduler(JOB_CONSISTENCY_REPORT);
      expect(s).toMatchObject({ pattern: '0 9 * * *', tz: 'Asia/Shanghai' });
      expect(new Date(Number(s!.next)).toISOString()).toBe(nextDailyRun(new Date(), '09:00', 'Asia/Shanghai').toISOString());
    } finally {
      await queue.close();
      connection.disconnect();
    }

    await seed();
    // The job as the scheduler fires it for 2031-06-10 09:00 Shanghai; a retry runs later that day.
    const fired = Date.parse('2031-06-10T01:00:00Z');
    const deps = {
      ...app.inventory.reports, clock: fixedClock('2031-06-10T01:00:02Z'), prices: app.inventory.prices, chats: [chat],
      connection: undefined as never, prefix: '', logger: app.logger,
      cardChanged: (key: string, version: number) => enqueueCard(app.cardQueues, key, version),
    };
    const first = await runInventoryJob(deps, { name: JOB_CONSISTENCY_REPORT, opts: { prevMillis: fired } }) as { reportId: number; created: boolean };
    const retry = await runInventoryJob({ ...deps, clock: fixedClock('2031-06-10T03:00:00Z') }, { name: JOB_CONSISTENCY_REPORT, opts: { prevMillis: fired } }) as { reportId: number; created: boolean };
    expect(first.created).toBe(true);
    expect(retry).toEqual({ reportId: first.reportId, created: false });
    const row = await db.query(`SELECT to_char(report_date, 'YYYY-MM-DD') AS d, scheduled_for, trigger FROM consistency_reports WHERE id = $1`, [first.reportId]);
    expect(row.rows[0]).toEqual({ d: '2031-06-10', scheduled_for: new Date(fired), trigger: 'schedule' });
    const posted = await eventually(async () => {
      const p = chat.posts.filter((x) => x.card.kind === 'consistency' && x.card.reportId === first.reportId);
      return p.length > 0 ? p : undefined;
    }, 10_000, 'report card posted');
    expect(posted).toHaveLength(1);
    expect(posted[0]!.channel).toBe('C-warehouse');
  });
});

describe('price changes with approval', () => {
  async function setup(listings = true) {
    const sku = uid('PRICE');
    await call('PUT', '/api/skus', [{ sku, stock: 10, price: '899.00', owner: 'inv-owner' }]);
    if (listings) {
      await db.query(`INSERT INTO platform_listings (sku, platform, shop, stock, price, seen_at, source) VALUES
        ($1, 'douyin', '', 10, 899, now(), 'test'), ($1, 'taobao', 'tmall', 10, 899, now(), 'test')`, [sku]);
    }
    return sku;
  }
  const decide = (id: number, staff: string, decision: string, version = 1) =>
    call('POST', `/api/price-changes/${id}/decision`, { decision, version, staff });

  it('a request posts an approval card; only configured roles decide; approval changes the master and queues each platform once', async () => {
    const sku = await setup();
    expect((await call('POST', '/api/price-changes', { sku, price: '599' }, null)).status).toBe(401);
    expect((await call('POST', '/api/price-changes', { sku: uid('NOPE'), price: '1' })).status).toBe(404);
    expect((await call('POST', '/api/price-changes', { sku, price: '5.999' })).status).toBe(422);
    const created = await call('POST', '/api/price-changes', { sku, price: '599', requested_by: 'inv-agent', reason: '直播价' });
    expect(created.status).toBe(201);
    const id = created.json.request_id as number;
    expect((await call('POST', '/api/price-changes', { sku, price: '649' })).json).toMatchObject({ error: 'orderops_conflict', request_id: id });

    const card = await eventually(async () => chat.posts.find((p) => p.card.kind === 'price' && p.card.requestId === id), 10_000, 'price card');
    expect(card.card).toMatchObject({ status: 'pending', actions: ['price.approve', 'price.reject'], oldPrice: '899.00', newPrice: '599.00' });

    const denied = await decide(id, 'inv-agent', 'approve');
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({ error: 'orderops_forbidden', reason: 'forbidden' });
    expect((await decide(id, 'nobody-here', 'approve')).json.reason).toBe('unknown_user');
    expect((await decide(id, 'inv-sup1', 'approve', 7)).json.reason).toBe('stale');
    expect((await skuOf(sku)).price).toBe('899.00');

    const ok = await decide(id, 'inv-sup1', 'approve');
    expect(ok.json).toEqual({ ok: true, request_id: id, version: 2, status: 'approved', pushes_queued: 2 });
    expect((await skuOf(sku)).price).toBe('599.00');
    const again = await decide(id, 'inv-sup2', 'approve', 2);
    expect(again.status).toBe(409);
    expect(again.json.reason).toBe('already_decided');
    expect(again.json.message).toContain('主管甲');
    // Queued once per listing in the approval's transaction; with no such shop configured, each ends
    // failed with the reason (never "pending" forever).
    const pushes = await eventually(async () => {
      const r = await db.query(`SELECT platform, shop, status, detail FROM price_pushes WHERE change_id = $1 ORDER BY platform`, [id]);
      return r.rows.every((x) => x.status === 'failed') ? r.rows : undefined;
    }, 15_000, 'the pushes to end');
    expect(pushes.map((x) => [x.platform, x.shop])).toEqual([['douyin', ''], ['taobao', 'tmall']]);
    expect(pushes[1].detail).toContain('no shop of taobao "tmall" under shops:');
    const audit = await db.query(`SELECT action, actor FROM audit_log WHERE entity = 'price_change' AND entity_id = $1 ORDER BY id`, [id]);
    expect(audit.rows).toEqual([{ action: 'price.requested', actor: 'staff:inv-agent' }, { action: 'price.approved', actor: 'staff:inv-sup1' }]);
    await eventually(async () => (chat.updates.some((u) => u.card.kind === 'price' && u.card.requestId === id && u.card.status === 'approved') ? true : undefined), 10_000, 'card updated');
    const view = await call('GET', `/api/price-changes/${id}`);
    // Each push result bumps the version (the card re-renders with it): decision + two results.
    expect(view.json.price_change).toMatchObject({ status: 'approved', decidedBy: 'inv-sup1', version: 4 });
  });

  it('two approvers clicking at once: exactly one decision wins, the push is queued once', async () => {
    const sku = await setup();
    const created = await requestPriceChange(app.inventory.prices, { sku, price: '699.00', requestedBy: 'inv-agent', via: 'slack' });
    if (!created.ok) throw new Error(created.message);
    const user = (id: string) => ({ platform: 'local' as const, userId: id });
    const results = await Promise.all([
      decidePriceChange(app.inventory.prices, { requestId: created.requestId, version: 1, user: user('inv-sup1'), decision: 'approve', via: 'slack' }),
      decidePriceChange(app.inventory.prices, { requestId: created.requestId, version: 1, user: user('inv-sup2'), decision: 'reject', via: 'feishu' }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const loser = results.find((r) => !r.ok)!;
    expect(loser).toMatchObject({ ok: false, reason: 'already_decided', refresh: true });
    const { rows } = await db.query(`SELECT status, version FROM price_changes WHERE id = $1`, [created.requestId]);
    expect(rows[0].version).toBe(2);
    const winner = results.find((r) => r.ok)!;
    if (!winner.ok) throw new Error('no winner');
    expect((await skuOf(sku)).price).toBe(winner.status === 'approved' ? '699.00' : '899.00');
    const pushes = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM price_pushes WHERE change_id = $1`, [created.requestId]);
    expect(pushes.rows[0]!.n).toBe(winner.status === 'approved' ? 2 : 0);
    expect((await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE entity = 'price_change' AND entity_id = $1`, [created.requestId])).rows[0].n).toBe(2);
  });

  it('a click routed by a chat front is one call; rejecting leaves the price alone', async () => {
    const sku = await setup(false);
    const created = await app.inventory.requestPriceChange({ sku, price: '1.00', requestedBy: 'inv-agent', via: 'slack' });
    if (!created.ok) throw new Error(created.message);
    const r = await app.inventory.handlePriceAction({ action: 'price.reject', requestId: created.requestId, version: 1, user: { platform: 'slack', userId: 'U0OWNER' }, via: 'slack' });
    expect(r).toMatchObject({ ok: false, reason: 'forbidden' }); // the owner is an agent
    const ok = await app.inventory.handlePriceAction({ action: 'price.reject', requestId: created.requestId, version: 1, user: { platform: 'local', userId: 'inv-sup2' }, via: 'local' });
    expect(ok).toMatchObject({ ok: true, status: 'rejected', notice: { key: 'inventory.notice.price_rejected' } });
    expect((await skuOf(sku)).price).toBe('899.00');
  });

  it('a change with a publish time waits for it after approval', async () => {
    const sku = await setup();
    const clock = fixedClock('2031-01-01T01:00:00Z');
    const deps = { ...app.inventory.prices, clock };
    const created = await requestPriceChange(deps, { sku, price: '799', requestedBy: 'inv-agent', via: 'api', publishAt: '2031-01-01T10:00:00+08:00' });
    if (!created.ok) throw new Error(created.message);
    const r = await decidePriceChange(deps, { requestId: created.requestId, version: 1, user: { platform: 'local', userId: 'inv-sup1' }, decision: 'approve', via: 'api' });
    expect(r).toMatchObject({ ok: true, status: 'scheduled', pushes: 0 });
    expect((await skuOf(sku)).price).toBe('899.00');
    expect(await publishDuePriceChanges(deps)).toBe(0);
    clock.set('2031-01-01T02:00:00Z');
    expect(await publishDuePriceChanges(deps)).toBe(1);
    expect((await skuOf(sku)).price).toBe('799.00');
    expect((await db.query(`SELECT status FROM price_changes WHERE id = $1`, [created.requestId])).rows[0].status).toBe('approved');
    expect((await db.query(`SELECT count(*)::int AS n FROM price_pushes WHERE change_id = $1`, [created.requestId])).rows[0].n).toBe(2);
  });
});
