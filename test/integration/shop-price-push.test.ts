import nock from 'nock';
import pg from 'pg';
import { eventually, startTestApp, TEST_TOKEN, uid, type TestApp } from '../helpers/test-app';
import { onlyLoopback, restoreNet } from '../helpers/loopback-only';
import { writeConfig } from '../helpers/config-file';
import { signOutbound } from '../../src/integrations/outbound/erp-webhook';

// An approved price goes out to every platform listing the SKU and to the seller's webhook, through
// the outbox: each platform's result is on the card in place; one that refuses stays failed and
// retryable while the others are done. Platforms are nocked in their documented shapes.

const CONFIG = writeConfig(`
locale: zh-CN
shop_sync:
  night_guard: { enabled: false }
  stock_coalesce_seconds: 1
  attempts: 3
erp_webhook: { url: "https://erp.test/orderops", stock: false, orders: false }
shops:
  - { id: dy, source: douyin, token_env: T_DY, reconcile: { enabled: false } }
  - { id: tb, source: taobao, token_env: T_TB, reconcile: { enabled: false } }
  - { id: pdd, source: pinduoduo, token_env: T_PDD, reconcile: { enabled: false } }
  - { id: jd, source: jd, token_env: T_JD, reconcile: { enabled: false } }
  - { id: us, source: shopify, token_env: T_SH, shop_domain: us.myshopify.com, reconcile: { enabled: false } }
`);
const ENV = {
  ORDEROPS_CONFIG: CONFIG, T_DY: 'a', T_TB: 'b', T_PDD: 'c', T_JD: 'd', T_SH: 'e', ORDEROPS_OUTBOUND_SECRET: 'erp-secret',
  DOUYIN_APP_KEY: 'k', DOUYIN_APP_SECRET: 's', DOUYIN_API_URL: 'https://douyin.test',
  TAOBAO_APP_KEY: 'k', TAOBAO_APP_SECRET: 's', TAOBAO_API_URL: 'https://taobao.test/router/rest',
  PDD_CLIENT_ID: 'k', PDD_CLIENT_SECRET: 's', PDD_API_URL: 'https://pdd.test/api/router',
  JD_APP_KEY: 'k', JD_APP_SECRET: 's', JD_API_URL: 'https://jd.test/routerjson',
  SHOPIFY_API_URL: 'https://shop.test',
};

let app: TestApp;
let db: pg.Pool;
beforeAll(async () => {
  onlyLoopback();
  app = await startTestApp(ENV);
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

/** A SKU listed on all five platforms, with the ids a listing pull stores. */
async function listedSku(): Promise<string> {
  const sku = uid('LAMP');
  await db.query(`INSERT INTO skus (sku, name, stock, price) VALUES ($1, '智能台灯', 100, 899.00)`, [sku]);
  const refs: [string, string, object][] = [
    ['douyin', 'dy', { productId: '36001', skuId: '17001' }],
    ['taobao', 'tb', { productId: '52001', skuId: '44001', properties: '1627207:3232483' }],
    ['pinduoduo', 'pdd', { productId: '88001', skuId: '99001', singlePrice: '929.00' }],
    ['jd', 'jd', { skuId: '10001' }],
    ['shopify', 'us', { productId: 'gid://shopify/Product/1', variantId: 'gid://shopify/ProductVariant/11', inventoryItemId: 'gid://shopify/InventoryItem/111', locationId: 'gid://shopify/Location/9' }],
  ];
  for (const [platform, shop, ref] of refs) {
    await db.query(`INSERT INTO platform_listings (sku, platform, shop, stock, price, seen_at, source, ref) VALUES ($1, $2, $3, 100, 899.00, now(), 'pull', $4)`, [sku, platform, shop, JSON.stringify(ref)]);
  }
  return sku;
}

interface Seen { platform: string; what: string; body: unknown }
function fakePlatforms(seen: Seen[], jdAnswer: () => unknown) {
  const f = (b: unknown) => (typeof b === 'string' ? Object.fromEntries(new URLSearchParams(b)) : (b as Record<string, string>));
  nock('https://douyin.test').post('/sku/editPrice').query(true).reply(function (_u, body) {
    seen.push({ platform: 'douyin', what: 'price', body });
    return [200, { code: 10000, msg: 'success', data: {} }];
  });
  nock('https://taobao.test').post('/router/rest').reply(function (_u, body) {
    seen.push({ platform: 'taobao', what: f(body).method!, body: f(body) });
    return [200, { item_sku_price_update_response: { sku: { num_iid: 52001 } } }];
  });
  nock('https://pdd.test').post('/api/router').reply(function (_u, body) {
    seen.push({ platform: 'pinduoduo', what: f(body).type!, body: f(body) });
    return [200, { goods_update_sku_price_response: { is_success: true } }];
  });
  nock('https://jd.test').post('/routerjson').reply(function (_u, body) {
    seen.push({ platform: 'jd', what: f(body).method!, body: f(body) });
    return [200, jdAnswer()];
  });
  nock('https://shop.test').post('/admin/api/2025-01/graphql.json').reply(function (_u, body) {
    seen.push({ platform: 'shopify', what: 'graphql', body });
    return [200, { data: { productVariantsBulkUpdate: { productVariants: [], userErrors: [] } } }];
  });
  nock('https://erp.test').post('/orderops').reply(function (_u, body) {
    const raw = JSON.stringify(body);
    seen.push({ platform: 'webhook', what: (body as { type: string }).type, body: { ...(body as object), signed: this.req.headers['x-orderops-signature'] === signOutbound('erp-secret', raw) } });
    return [200, { ok: true }];
  });
}

const pushesOf = async (sku: string) =>
  (await db.query(`SELECT pp.platform, pp.status, pp.detail, pp.attempts, pp.round FROM price_pushes pp JOIN price_changes c ON c.id = pp.change_id WHERE c.sku = $1 ORDER BY pp.platform`, [sku])).rows;

const cardOf = async (key: string) => {
  const s = await (await fetch(`${app.url}/local/state?staff=demo.manager`)).json();
  return s.cards.find((c: { key: string }) => c.key === key);
};

describe('price pushes through the outbox', () => {
  it('reaches all five platforms and the webhook; JD refuses and shows ✗ with its words and a retry; the retry pushes JD once more', async () => {
    const sku = await listedSku();
    const seen: Seen[] = [];
    let jdRefuses = true;
    fakePlatforms(seen, () => (jdRefuses
      ? { jingdong_price_write_updateSkuJdPrice_responce: { code: '0', success: false, message: '价格超出范围' } }
      : { jingdong_price_write_updateSkuJdPrice_responce: { code: '0', success: true } }));

    const req = await api('/api/price-changes', { sku, price: '599.00', requested_by: 'demo.warehouse.agent' });
    expect(req.status).toBe(201);
    const id = req.json.request_id as number;
    const dec = await api(`/api/price-changes/${id}/decision`, { decision: 'approve', version: req.json.version, staff: 'demo.manager' });
    expect(dec.status).toBe(200);
    expect(dec.json.pushes_queued).toBe(6);

    const done = await eventually(async () => {
      const rows = await pushesOf(sku);
      return rows.every((r) => r.status === 'pushed' || r.status === 'failed') ? rows : undefined;
    }, 30_000, 'every push to end');
    expect(done.map((r) => [r.platform, r.status])).toEqual([
      ['douyin', 'pushed'], ['jd', 'failed'], ['pinduoduo', 'pushed'], ['shopify', 'pushed'], ['taobao', 'pushed'], ['webhook', 'pushed'],
    ]);
    expect(done.find((r) => r.platform === 'jd').detail).toBe('价格超出范围');
    // Each platform got exactly its one documented call.
    expect(seen.map((s) => `${s.platform}:${s.what}`).sort()).toEqual([
      'douyin:price', 'jd:jingdong.price.write.updateSkuJdPrice', 'pinduoduo:pdd.goods.sku.price.update', 'shopify:graphql', 'taobao:taobao.item.sku.price.update', 'webhook:price.set',
    ]);
    expect(seen.find((s) => s.platform === 'webhook')!.body).toMatchObject({ sku, price: '599.00', signed: true });
    // A pushed listing now shows the new price (the report compares against it).
    expect((await db.query(`SELECT price FROM platform_listings WHERE sku = $1 AND platform = 'douyin'`, [sku])).rows[0].price).toBe('599.00');

    // The card shows each platform's result in place, with a retry button.
    const card = await eventually(async () => {
      const c = await cardOf(`price:${id}`);
      return c && c.texts.decisionButtons.some((b: { action: string }) => b.action === 'price.retry') ? c : undefined;
    }, 15_000, 'the card with its push results');
    const pushes = card.texts.fields.find((f: { key: string }) => f.key === 'pushes').value as string;
    expect(pushes).toContain('抖音 ✓');
    expect(pushes).toContain('京东 ✗ 价格超出范围');
    expect(pushes.split(' · ')).toHaveLength(6);

    // An agent may not retry; a permitted role may, and only JD is pushed again.
    expect((await api(`/api/price-changes/${id}/retry`, { staff: 'demo.warehouse.agent' })).status).toBe(403);
    jdRefuses = false;
    nock('https://jd.test').post('/routerjson').reply(function (_u, body) {
      seen.push({ platform: 'jd', what: 'retry', body });
      return [200, { jingdong_price_write_updateSkuJdPrice_responce: { code: '0', success: true } }];
    });
    const retry = await api(`/api/price-changes/${id}/retry`, { staff: 'demo.manager' });
    expect(retry).toMatchObject({ status: 200, json: { pushes_queued: 1 } });
    await eventually(async () => ((await pushesOf(sku)).find((r) => r.platform === 'jd').status === 'pushed' ? true : undefined), 30_000, 'the JD retry');
    expect(seen.filter((s) => s.platform !== 'jd')).toHaveLength(5);
    expect((await pushesOf(sku)).find((r) => r.platform === 'jd').round).toBe(1);
    // Nothing left to retry now.
    expect((await api(`/api/price-changes/${id}/retry`, { staff: 'demo.manager' })).status).toBe(409);
  }, 60_000);
});
