import nock from 'nock';
import pg from 'pg';
import { Queue } from 'bullmq';
import { eventually, startTestApp, TEST_TOKEN, uid, type TestApp } from '../helpers/test-app';
import { onlyLoopback, restoreNet } from '../helpers/loopback-only';
import { writeConfig } from '../helpers/config-file';
import { JOB_CONSISTENCY_REPORT, QUEUE_INVENTORY } from '../../src/jobs/consistency-jobs';

// Listings are read from the shops before the daily report, so the report compares the master with
// what the shops show now; each deviation offers 推送主数据, which never pushes by itself.

const CONFIG = writeConfig(`
shop_sync: { night_guard: { enabled: false }, stock_coalesce_seconds: 1, listings: { enabled: true, every_minutes: 1440 } }
inventory: { report: { enabled: true, time: "09:00" } }
shops:
  - { id: jd, source: jd, token_env: T_JD, reconcile: { enabled: false } }
`);
const ENV = { ORDEROPS_CONFIG: CONFIG, T_JD: 'd', JD_APP_KEY: 'k', JD_APP_SECRET: 's', JD_API_URL: 'https://jd.test/routerjson' };

let app: TestApp;
let db: pg.Pool;
const sku = uid('LAMP');
const writes: { method: string; business: Record<string, unknown> }[] = [];
/** What JD shows for the SKU's stock: the shop sold some meanwhile. */
let jdStock = 5;

beforeAll(async () => {
  onlyLoopback();
  const f = (b: unknown) => (typeof b === 'string' ? Object.fromEntries(new URLSearchParams(b)) : (b as Record<string, string>));
  nock('https://jd.test').persist().post('/routerjson').reply(function (_u, body) {
    const p = f(body);
    const business = JSON.parse(p['360buy_param_json']!);
    if (p.method === 'jingdong.sku.read.searchSkuList') {
      return [200, { jingdong_sku_read_searchSkuList_responce: { code: '0', page: { totalItem: 2, pageNo: 1, data: [
        { skuId: 100012345678, wareId: 100000001, outerId: sku, jdPrice: '699.00', stockNum: jdStock },
        { skuId: 100012345679, wareId: 100000002, outerId: `GHOST-${sku}`, jdPrice: '1.00', stockNum: 1 },
      ] } } }];
    }
    writes.push({ method: p.method!, business });
    return [200, { [`${p.method!.replace(/\./g, '_')}_responce`]: { code: '0', success: true } }];
  });
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
  await db.query(`INSERT INTO skus (sku, name, stock, price) VALUES ($1, '台灯', 100, 599.00)`, [sku]);
  app = await startTestApp(ENV);
});
afterAll(async () => {
  await app.close();
  await db.end();
  restoreNet();
});

describe('listing pulls and the daily report', () => {
  it('the scheduled report pulls first and shows deviations only a pull could find; 推送主数据 sends stock now and asks approval for the price', async () => {
    // The scheduled pull ran at start; then JD sells 2 more and that pull grows stale.
    await eventually(async () => (await db.query(`SELECT 1 FROM listing_pulls WHERE status = 'complete'`)).rows[0], 20_000, 'the pull at start');
    jdStock = 3;
    await db.query(`UPDATE listing_pulls SET finished_at = finished_at - interval '1 day'`);
    const queue = new Queue(QUEUE_INVENTORY, { connection: app.redis, prefix: app.config.queuePrefix });
    await queue.add(JOB_CONSISTENCY_REPORT, {});
    await queue.close();
    const report = await eventually(async () => (await db.query(`SELECT id FROM consistency_reports WHERE trigger = 'schedule'`)).rows[0], 30_000, 'the scheduled report');

    const pull = (await db.query(`SELECT status, trigger, listings, matched, unmatched, calls FROM listing_pulls WHERE shop = 'jd' ORDER BY id`)).rows;
    expect(pull.map((p) => p.trigger)).toEqual(['schedule', 'report']);
    expect(pull[1]).toEqual({ status: 'complete', trigger: 'report', listings: 2, matched: 1, unmatched: 1, calls: 1 });
    const listing = (await db.query(`SELECT stock, price, ref, merchant_code FROM platform_listings WHERE sku = $1 AND platform = 'jd'`, [sku])).rows[0];
    expect(listing).toEqual({ stock: 3, price: '699.00', ref: { skuId: '100012345678', productId: '100000001' }, merchant_code: sku });

    const rows = (await db.query(`SELECT sku, known, listing_stock, master_stock, listing_price, master_price FROM consistency_report_rows WHERE report_id = $1 ORDER BY sku`, [report.id])).rows;
    expect(rows).toEqual([
      { sku: `GHOST-${sku}`, known: false, listing_stock: 1, master_stock: null, listing_price: '1.00', master_price: null },
      { sku, known: true, listing_stock: 3, master_stock: 100, listing_price: '699.00', master_price: '599.00' },
    ]);
    // Nothing was pushed by the pull or the report.
    expect(writes).toEqual([]);

    // The card offers 推送主数据 for the known deviation only.
    const card = await eventually(async () => {
      const s = await (await fetch(`${app.url}/local/state?staff=demo.manager`)).json();
      return s.cards.find((c: { key: string }) => c.key === `consistency:${report.id}`);
    }, 15_000, 'the report card');
    const buttons = card.texts.decisionButtons as { action: string; label: string; value: { requestId: number; version: number } }[];
    expect(buttons).toHaveLength(1);
    expect(buttons[0]!.label).toContain(sku);

    const click = async (staff: string) => fetch(`${app.url}/local/price-actions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'report.push_master', requestId: buttons[0]!.value.requestId, version: buttons[0]!.value.version, staff }),
    });
    expect((await click('demo.warehouse.agent')).status).toBe(403);
    expect((await click('demo.manager')).status).toBe(200);
    // Stock: sent at once, the full sellable figure.
    await eventually(async () => (writes.some((w) => w.method === 'jingdong.stock.write.updateSkuStock') ? true : undefined), 20_000, 'the stock push');
    expect(writes.find((w) => w.method === 'jingdong.stock.write.updateSkuStock')!.business).toEqual({ skuId: '100012345678', stockNum: 100 });
    // Price: a request scoped to JD, waiting for approval; nothing priced yet.
    const change = (await db.query(`SELECT id, version, status, new_price, scope_platform, scope_shop FROM price_changes WHERE sku = $1`, [sku])).rows[0];
    expect(change).toMatchObject({ status: 'pending', new_price: '599.00', scope_platform: 'jd', scope_shop: 'jd' });
    expect(writes.some((w) => w.method === 'jingdong.price.write.updateSkuJdPrice')).toBe(false);

    const approve = await fetch(`${app.url}/api/price-changes/${change.id}/decision`, {
      method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve', version: change.version, staff: 'demo.manager' }),
    });
    expect(approve.status).toBe(200);
    await eventually(async () => (writes.some((w) => w.method === 'jingdong.price.write.updateSkuJdPrice') ? true : undefined), 20_000, 'the price push');
    expect(writes.filter((w) => w.method === 'jingdong.price.write.updateSkuJdPrice').map((w) => w.business)).toEqual([{ skuId: '100012345678', jdPrice: '599.00' }]);
  }, 60_000);
});
