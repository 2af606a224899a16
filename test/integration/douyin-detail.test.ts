import nock from 'nock';
import pg from 'pg';
import { eventually, startTestApp, type TestApp } from '../helpers/test-app';
import { onlyLoopback, restoreNet } from '../helpers/loopback-only';
import { writeConfig } from '../helpers/config-file';
import { fixture } from '../unit/platforms/load-fixture';
import { apiSign, eventSign } from '../../src/integrations/platforms/douyin/sign';

// A thin Douyin push (a status message: no items, no address) is followed by order.orderDetail for
// that order, through the same intake: the order becomes whole and is judged by the rules. A fetch
// the platform refuses leaves the thin order as it is (reconciliation fills it), never loses it.
const DY = { appKey: '3409409348479354011', appSecret: '2ad2355c-01d0-11f8-91dc-05a8cd1054b1' };
const DOUYIN = 'https://douyin-detail.test';
const CONFIG = writeConfig(`
shops:
  - { id: home-flagship, source: douyin, token_env: DY_TOKEN_HOME, order_shop: "323423", reconcile: { enabled: false } }
`);

let app: TestApp;
let db: pg.Pool;

beforeAll(async () => {
  onlyLoopback();
  app = await startTestApp({ DOUYIN_APP_KEY: DY.appKey, DOUYIN_APP_SECRET: DY.appSecret, DOUYIN_API_URL: DOUYIN, DY_TOKEN_HOME: 'tok-home', ORDEROPS_CONFIG: CONFIG });
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
});
afterAll(async () => {
  await app.close();
  await db.end();
  restoreNet();
});

const base = fixture<Record<string, Record<string, unknown>>>('douyin', 'orders.json')['paid, two lines, masked receiver, urgent buyer note']!;
let seq = 0;
const freshId = () => `69${String(Date.now()).slice(-9)}${String(++seq).padStart(8, '0')}`;

async function pushPaid(pId: string, shopId = 323423) {
  const data = `{"biz":2,"order_status":2,"order_type":0,"p_id":${pId},"pay_amount":63800,"pay_time":1767873700,"pay_type":1,"s_ids":[],"shop_id":${shopId}}`;
  const body = `[{"tag":"101","msg_id":"73${pId.slice(2)}","data":${JSON.stringify(data)}}]`;
  const res = await fetch(`${app.url}/webhooks/orders/douyin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'app-id': DY.appKey, 'event-sign': eventSign(DY.appKey, body, DY.appSecret) },
    body,
  });
  expect(res.status).toBe(200);
}

interface DetailCall { query: Record<string, string>; body: string }
/** order.orderDetail answering each call with the next of `answers` (the last one repeats). */
function fakeDetail(pId: string, answers: ([number, unknown])[]): DetailCall[] {
  const calls: DetailCall[] = [];
  nock(DOUYIN)
    .persist()
    .post('/order/orderDetail')
    .query((q) => String(q.param_json ?? '').includes(pId))
    .reply(function reply(uri, body) {
      const query = Object.fromEntries(new URL(uri, DOUYIN).searchParams);
      calls.push({ query, body: typeof body === 'string' ? body : JSON.stringify(body) });
      return answers[Math.min(calls.length - 1, answers.length - 1)]!;
    });
  return calls;
}
const whole = (pId: string) => [200, { code: 10000, msg: 'success', data: { shop_order_detail: { ...base, order_id: pId } } }] as [number, unknown];

const orderRow = async (pId: string) =>
  (await db.query<{ id: number; total: string; data: { partial?: boolean; items: unknown[]; address: { province?: string } }; processed: boolean; tags: string[] }>(
    `SELECT id, total, data, processed_revision = revision AS processed, tags FROM orders WHERE source = 'douyin' AND external_id = $1`,
    [pId],
  )).rows[0];

it('fetches the whole order after a thin push, signed, and judges it once whole', async () => {
  const pId = freshId();
  const calls = fakeDetail(pId, [whole(pId)]);
  await pushPaid(pId);
  const row = await eventually(async () => {
    const r = await orderRow(pId);
    return r && r.data.partial !== true && r.processed ? r : undefined;
  }, 20_000, 'the whole order, processed');
  expect(row.data.items).toHaveLength(2);
  expect(row.data.address.province).toBe('浙江省');
  expect(row.total).toBe('638.00'); // pay_amount, in yuan
  expect(row.tags).toContain('urgent'); // the buyer's 急 came with the detail, not with the push
  expect(calls).toHaveLength(1);
  const q = calls[0]!.query;
  expect(q).toMatchObject({ method: 'order.orderDetail', app_key: DY.appKey, access_token: 'tok-home', v: '2', sign_method: 'hmac-sha256' });
  expect(JSON.parse(calls[0]!.body)).toEqual({ shop_order_id: pId });
  expect(q.sign).toBe(apiSign({ appKey: DY.appKey, appSecret: DY.appSecret, method: 'order.orderDetail', paramJson: q.param_json!, timestamp: q.timestamp!, v: '2' }));
});

it('retries a fetch the platform answers with a server error, then takes the order', async () => {
  const pId = freshId();
  const calls = fakeDetail(pId, [[200, { code: 50002, msg: '服务繁忙' }], whole(pId)]);
  await pushPaid(pId);
  await eventually(async () => ((await orderRow(pId))?.data.items.length === 2 ? true : undefined), 20_000, 'the order, whole after a retry');
  expect(calls).toHaveLength(2);
});

it('keeps the thin order as it is when the platform refuses, and asks once', async () => {
  const pId = freshId();
  const calls = fakeDetail(pId, [[200, { code: 30001, msg: '无权限', sub_msg: 'access token expired' }]]);
  await pushPaid(pId);
  await eventually(async () => (calls.length === 1 ? true : undefined), 20_000, 'the one detail call');
  await new Promise((r) => setTimeout(r, 2500)); // a retry would come after 2 s
  expect(calls).toHaveLength(1);
  const row = await orderRow(pId);
  expect(row).toMatchObject({ total: '638.00', processed: true });
  expect(row!.data.partial).toBe(true);
});

it('takes a push whose shop value names no configured shop as the only douyin shop\'s', async () => {
  const pId = freshId();
  const calls = fakeDetail(pId, [whole(pId)]);
  await pushPaid(pId, 999);
  await eventually(async () => ((await orderRow(pId))?.data.items.length === 2 ? true : undefined), 20_000, 'the order of the only douyin shop, whole');
  expect(calls).toHaveLength(1);
  expect(calls[0]!.query.access_token).toBe('tok-home');
});
