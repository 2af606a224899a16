import { randomInt } from 'node:crypto';
import pg from 'pg';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { eventSign } from '../../src/integrations/platforms/douyin/sign';
import { shopifyHmac } from '../../src/integrations/platforms/shopify/sign';

const DY = { appKey: '3409409348479354011', appSecret: '2ad2355c-01d0-11f8-91dc-05a8cd1054b1' };
const SHOPIFY_SECRET = 'hush';

let app: TestApp;
let db: pg.Pool;

beforeAll(async () => {
  app = await startTestApp({ DOUYIN_APP_KEY: DY.appKey, DOUYIN_APP_SECRET: DY.appSecret, SHOPIFY_WEBHOOK_SECRET: SHOPIFY_SECRET });
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
});
afterAll(async () => {
  await app.close();
  await db.end();
});

/** A fresh 19-digit id (beyond 2^53, like the platforms' own). */
const bigId = (prefix: string) => `${prefix}${String(randomInt(1e9)).padStart(9, '0')}${String(randomInt(1e9)).padStart(9, '0')}`.slice(0, 19);

async function post(source: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${app.url}/webhooks/orders/${source}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, json: await res.json() };
}
const rows = async (source: string, externalId: string) =>
  (await db.query('SELECT status, stage, total, paid, revision, data, raw FROM orders WHERE source = $1 AND external_id = $2', [source, externalId])).rows;

describe('POST /webhooks/orders/douyin', () => {
  /** A push body exactly as Douyin sends it: p_id as a bare 19-digit number inside the data string. */
  const push = (...messages: { tag: string; msgId: string; data: string }[]) =>
    `[${messages.map((m) => `{"tag":"${m.tag}","msg_id":"${m.msgId}","data":${JSON.stringify(m.data)}}`).join(',')}]`;
  const signed = (body: string) => ({ 'app-id': DY.appKey, 'event-sign': eventSign(DY.appKey, body, DY.appSecret) });

  it('stores a signed paid message with status, amount in yuan and the exact 19-digit id, answering {"code":0,"msg":"success"}', async () => {
    const pId = bigId('69');
    const body = push({ tag: '101', msgId: bigId('73'), data: `{"biz":2,"order_status":2,"order_type":0,"p_id":${pId},"pay_amount":59900,"pay_time":1767873700,"pay_type":1,"s_ids":[${bigId('69')}],"shop_id":323423}` });
    const res = await post('douyin', body, signed(body));
    expect(res).toEqual({ status: 200, json: { code: 0, msg: 'success' } });
    const [row] = await rows('douyin', pId);
    expect(row).toMatchObject({ status: 'paid', stage: 'pending', total: '599.00', paid: '599.00' });
    expect(row.data).toMatchObject({ externalId: pId, shop: '323423', partial: true, platformStatus: '2' });

    // The shipped message moves it to the shipped stage.
    const shipped = push({ tag: '102', msgId: bigId('73'), data: `{"logistics_msg":{"express_company_id":"shunfeng","logistics_code":"SF1"},"p_id":${pId},"s_ids":[],"update_time":1767960000}` });
    expect((await post('douyin', shipped, signed(shipped))).status).toBe(200);
    // A thin status message never wipes the amounts an earlier message gave.
    expect((await rows('douyin', pId))[0]).toMatchObject({ status: 'paid', stage: 'shipped', total: '599.00', paid: '599.00' });
  });

  it.each<[string, (body: string) => Record<string, string>, string]>([
    ['a missing event-sign', () => ({ 'app-id': DY.appKey }), 'orderops_signature_missing'],
    ['a wrong event-sign', () => ({ 'app-id': DY.appKey, 'event-sign': eventSign(DY.appKey, 'other', DY.appSecret) }), 'orderops_signature_invalid'],
    ['a sign made with another secret', (b) => ({ 'app-id': DY.appKey, 'event-sign': eventSign(DY.appKey, b, 'not-the-secret') }), 'orderops_signature_invalid'],
    ['the app-id of another app', (b) => ({ 'app-id': '1234', 'event-sign': eventSign(DY.appKey, b, DY.appSecret) }), 'orderops_signature_invalid'],
  ])('refuses %s with 401 and stores nothing', async (_label, headers, error) => {
    const pId = bigId('69');
    const body = push({ tag: '100', msgId: bigId('73'), data: `{"create_time":1767873662,"order_status":1,"p_id":${pId},"shop_id":323423}` });
    const res = await post('douyin', body, headers(body));
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ ok: false, error });
    expect(res.json.message).toContain('event-sign');
    expect(await rows('douyin', pId)).toHaveLength(0);
  });

  it('stores a redelivered msg_id once: the second delivery is acknowledged and changes nothing', async () => {
    const pId = bigId('69');
    const body = push({ tag: '100', msgId: bigId('73'), data: `{"create_time":1767873662,"order_status":1,"p_id":${pId},"shop_id":323423}` });
    expect((await post('douyin', body, signed(body))).json).toEqual({ code: 0, msg: 'success' });
    expect((await post('douyin', body, signed(body))).json).toEqual({ code: 0, msg: 'success' });
    const found = await rows('douyin', pId);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ status: 'pending_payment', revision: 1 });
    const history = await db.query(
      `SELECT count(*) FROM order_history h JOIN orders o ON o.id = h.order_id WHERE o.source = 'douyin' AND o.external_id = $1 AND h.source = 'webhook'`,
      [pId],
    );
    expect(Number(history.rows[0].count)).toBe(1);
  });

  it('answers the URL verification push (tag "0") with success and stores nothing', async () => {
    const body = '[{"tag":"0","msg_id":"","data":"{}"}]';
    expect(await post('douyin', body, signed(body))).toEqual({ status: 200, json: { code: 0, msg: 'success' } });
  });
});

describe('POST /webhooks/orders/shopify', () => {
  const order = (id: string, extra = '') =>
    `{"id":${id},"admin_graphql_api_id":"gid://shopify/Order/${id}","name":"#1001","created_at":"2026-01-08T07:01:02-05:00","updated_at":"2026-01-08T07:01:05-05:00","currency":"USD","financial_status":"paid","fulfillment_status":null,"total_price":"403.00","line_items":[{"id":866550311766439020,"sku":"IPOD2008PINK","quantity":1,"price":"403.00"}]${extra}}`;
  const headers = (body: string, webhookId = bigId('wh')) => ({
    'x-shopify-hmac-sha256': shopifyHmac(SHOPIFY_SECRET, body),
    'x-shopify-topic': 'orders/create',
    'x-shopify-shop-domain': 'example.myshopify.com',
    'x-shopify-webhook-id': webhookId,
  });

  it('stores a signed order, keeping a large id such as 820982911946154508 exactly', async () => {
    // Shopify's own sample id first (it may exist from an earlier run of this database: then unchanged).
    const sample = order('820982911946154508');
    const first = await post('shopify', sample, headers(sample));
    expect(first.status).toBe(200);
    expect(first.json.orders[0].id).toBe('820982911946154508');
    const [row] = await rows('shopify', '820982911946154508');
    expect(row).toMatchObject({ status: 'paid', total: '403.00', paid: '403.00' });
    expect(row.raw.id).toBe('820982911946154508');
    expect(row.data.shop).toBe('example.myshopify.com');

    const id = bigId('8');
    const body = order(id);
    expect((await post('shopify', body, headers(body))).json).toEqual({ ok: true, received: 1, orders: [{ id, result: 'created' }] });
    expect(await rows('shopify', id)).toHaveLength(1);
  });

  it('stores a redelivery (same X-Shopify-Webhook-Id, same payload) once', async () => {
    const id = bigId('8');
    const body = order(id);
    const h = headers(body, 'b1d3a2c4-0000-4000-8000-000000000001');
    expect((await post('shopify', body, h)).json.orders[0].result).toBe('created');
    expect((await post('shopify', body, h)).json.orders[0].result).toBe('unchanged');
    expect(await rows('shopify', id)).toHaveLength(1);
  });

  it('refuses a bad HMAC (and the V2 re-serialised body) with 401, storing nothing', async () => {
    const id = bigId('8');
    const body = order(id);
    const forged = { ...headers(body), 'x-shopify-hmac-sha256': shopifyHmac('not-the-secret', body) };
    expect((await post('shopify', body, forged)).status).toBe(401);
    const reserialised = JSON.stringify(JSON.parse(body));
    const res = await post('shopify', reserialised, headers(body));
    expect(res.status).toBe(401);
    expect(res.json.message).toContain('X-Shopify-Hmac-Sha256');
    expect(await rows('shopify', id)).toHaveLength(0);
  });

  it('answers signed malformed JSON with 400 and keeps it in rejected_payloads', async () => {
    const marker = bigId('9');
    const body = `{"id":${marker}, "financial_status": `;
    const res = await post('shopify', body, headers(body));
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('orderops_malformed_json');
    const kept = await db.query('SELECT source, reason, http_status, headers FROM rejected_payloads WHERE body LIKE $1', [`%${marker}%`]);
    expect(kept.rows).toEqual([expect.objectContaining({ source: 'shopify', reason: 'malformed_json', http_status: 400 })]);
    expect(kept.rows[0].headers['x-shopify-topic']).toBe('orders/create');
  });

  it('acknowledges a non-order topic without storing anything', async () => {
    const body = '{"id":1}';
    const res = await post('shopify', body, { ...headers(body), 'x-shopify-topic': 'orders/delete' });
    expect(res).toEqual({ status: 200, json: { ok: true, received: 0, orders: [] } });
  });
});

describe('platform secrets not configured', () => {
  it('answers 503 naming the env vars to set', async () => {
    const bare = await startTestApp({ DOUYIN_APP_KEY: '', DOUYIN_APP_SECRET: '', SHOPIFY_WEBHOOK_SECRET: '' });
    try {
      const dy = await fetch(`${bare.url}/webhooks/orders/douyin`, { method: 'POST', body: '[]' });
      expect(dy.status).toBe(503);
      expect((await dy.json()).message).toContain('DOUYIN_APP_SECRET');
      const sh = await fetch(`${bare.url}/webhooks/orders/shopify`, { method: 'POST', body: '{}' });
      expect(sh.status).toBe(503);
      expect((await sh.json()).message).toContain('SHOPIFY_WEBHOOK_SECRET');
    } finally {
      await bare.close();
    }
  });
});
