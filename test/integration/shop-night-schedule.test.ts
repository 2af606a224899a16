import nock from 'nock';
import pg from 'pg';
import { eventually, startTestApp, TEST_TOKEN, uid, type TestApp } from '../helpers/test-app';
import { onlyLoopback, restoreNet } from '../helpers/loopback-only';
import { writeConfig } from '../helpers/config-file';
import { fixedClock } from '../../src/domain/ports';

// 避免凌晨误操作: a price approved at 02:00 local waits for an explicit confirmation before any shop
// gets it; 定时发布: a change approved for 20:00 goes to the shops when 20:00 comes, not before.

const CONFIG = writeConfig(`
shop_sync: { stock_coalesce_seconds: 1 }
shops:
  - { id: jd, source: jd, token_env: T_JD, reconcile: { enabled: false } }
`);
const ENV = { ORDEROPS_CONFIG: CONFIG, T_JD: 'd', JD_APP_KEY: 'k', JD_APP_SECRET: 's', JD_API_URL: 'https://jd.test/routerjson' };
const clock = fixedClock('2026-01-08T18:00:00Z'); // 02:00 in Shanghai

let app: TestApp;
let db: pg.Pool;
const prices: { skuId: string; jdPrice: string }[] = [];
beforeAll(async () => {
  onlyLoopback();
  const f = (b: unknown) => (typeof b === 'string' ? Object.fromEntries(new URLSearchParams(b)) : (b as Record<string, string>));
  nock('https://jd.test').persist().post('/routerjson').reply(function (_u, body) {
    prices.push(JSON.parse(f(body)['360buy_param_json']!));
    return [200, { jingdong_price_write_updateSkuJdPrice_responce: { code: '0', success: true } }];
  });
  app = await startTestApp(ENV, { clock });
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
});
afterAll(async () => {
  await app.close();
  await db.end();
  restoreNet();
});

const api = async (path: string, body: unknown) => {
  const res = await fetch(`${app.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() as any };
};
async function listed(jdSku: string): Promise<string> {
  const sku = uid('LAMP');
  await db.query(`INSERT INTO skus (sku, name, stock, price) VALUES ($1, '台灯', 10, 899.00)`, [sku]);
  await db.query(`INSERT INTO platform_listings (sku, platform, shop, stock, price, seen_at, source, ref) VALUES ($1, 'jd', 'jd', 10, 899.00, now(), 'pull', $2)`, [sku, JSON.stringify({ skuId: jdSku })]);
  return sku;
}
const statuses = async (sku: string) => (await db.query(`SELECT pp.status FROM price_pushes pp JOIN price_changes c ON c.id = pp.change_id WHERE c.sku = $1`, [sku])).rows.map((r) => r.status);
const settle = () => new Promise((r) => setTimeout(r, 2500));

describe('the night guard and scheduled publishing', () => {
  it('at 02:00 an approval changes the master but holds the pushes until someone confirms', async () => {
    const sku = await listed('jd-night');
    const req = await api('/api/price-changes', { sku, price: '599.00', requested_by: 'demo.warehouse.agent' });
    const dec = await api(`/api/price-changes/${req.json.request_id}/decision`, { decision: 'approve', version: req.json.version, staff: 'demo.manager' });
    expect(dec.status).toBe(200);
    expect((await db.query('SELECT price FROM skus WHERE sku = $1', [sku])).rows[0].price).toBe('599.00');
    expect(await statuses(sku)).toEqual(['held']);
    await settle();
    expect(prices.filter((p) => p.skuId === 'jd-night')).toEqual([]);

    const card = await eventually(async () => {
      const s = await (await fetch(`${app.url}/local/state?staff=demo.manager`)).json();
      const c = s.cards.find((x: { key: string }) => x.key === `price:${req.json.request_id}`);
      return c?.texts.decisionButtons.some((b: { action: string }) => b.action === 'price.confirm_push') ? c : undefined;
    }, 15_000, 'the card asking for confirmation');
    expect(card.texts.fields.map((f: { key: string }) => f.key)).toContain('night');

    expect((await api(`/api/price-changes/${req.json.request_id}/confirm-push`, { staff: 'demo.warehouse.agent' })).status).toBe(403);
    expect((await api(`/api/price-changes/${req.json.request_id}/confirm-push`, { staff: 'demo.manager' })).status).toBe(200);
    await eventually(async () => ((await statuses(sku))[0] === 'pushed' ? true : undefined), 20_000, 'the confirmed push');
    expect(prices.filter((p) => p.skuId === 'jd-night')).toEqual([{ skuId: 'jd-night', jdPrice: '599.00' }]);
  }, 40_000);

  it('a change approved for 20:00 pushes nothing before 20:00 and goes out within a tick after', async () => {
    clock.set('2026-01-09T03:00:00Z'); // 11:00 local
    const sku = await listed('jd-promo');
    const req = await api('/api/price-changes', { sku, price: '599.00', requested_by: 'demo.warehouse.agent', publish_at: '2026-01-09T20:00:00+08:00' });
    expect(req.status).toBe(201);
    const dec = await api(`/api/price-changes/${req.json.request_id}/decision`, { decision: 'approve', version: req.json.version, staff: 'demo.manager' });
    expect(dec.json.status).toBe('scheduled');
    await settle();
    expect(await statuses(sku)).toEqual([]);
    expect((await db.query('SELECT price FROM skus WHERE sku = $1', [sku])).rows[0].price).toBe('899.00');

    clock.set('2026-01-09T12:00:01Z'); // 20:00:01 local
    await eventually(async () => ((await statuses(sku))[0] === 'pushed' ? true : undefined), 20_000, 'the 20:00 push');
    expect((await db.query('SELECT price FROM skus WHERE sku = $1', [sku])).rows[0].price).toBe('599.00');
    expect(prices.filter((p) => p.skuId === 'jd-promo')).toEqual([{ skuId: 'jd-promo', jdPrice: '599.00' }]);
  }, 40_000);
});
