import { createHash } from 'node:crypto';
import nock from 'nock';
import pg from 'pg';
import { eventually, genericOrder, postOrders, startTestApp, TEST_SECRET, TEST_TOKEN, type TestApp } from '../helpers/test-app';
import { writeConfig } from '../helpers/config-file';
import { signBody } from '../../src/integrations/platforms/generic/signature';

const SALT = 'test-salt';
const CONFIG = writeConfig(`
processing: { sweep_seconds: 5 }
tracking: { pickup_hours: 0.0005, stalled_hours: 48 }
`);

let db: pg.Pool;
let app: TestApp;
const subscriptions: Record<string, unknown>[] = [];

beforeAll(async () => {
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  nock('https://poll.kuaidi100.test').persist().post('/poll').reply(200, (_uri, body) => {
    const form = new URLSearchParams(String(body));
    subscriptions.push({ schema: form.get('schema'), ...JSON.parse(form.get('param')!) });
    return { result: true, returnCode: '200', message: '提交成功' };
  });
  app = await startTestApp({
    ORDEROPS_CONFIG: CONFIG, ORDEROPS_LOCAL_CHANNEL: '0', KUAIDI100_KEY: 'test-key', KUAIDI100_SALT: SALT,
    KUAIDI100_CALLBACK_URL: 'https://ops.example.com/webhooks/tracking/kuaidi100', KUAIDI100_API_URL: 'https://poll.kuaidi100.test',
  });
});
afterAll(async () => {
  await app.close();
  nock.cleanAll();
  nock.enableNetConnect();
  await db.end();
});

const md5 = (s: string) => createHash('md5').update(s).digest('hex').toUpperCase();
const push = (param: string, sign: string | null) =>
  fetch(`${app.url}/webhooks/tracking/kuaidi100`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(sign === null ? { param } : { param, sign }).toString(),
  }).then(async (r) => ({ status: r.status, json: await r.json() }));
const kuaidi100Param = (nu: string, state: string, opts: { ischeck?: string; status?: string } = {}) => JSON.stringify({
  status: opts.status ?? 'polling', message: '', autoCheck: '0', comOld: '', comNew: '',
  lastResult: {
    message: 'ok', state, status: '200', condition: 'F00', ischeck: opts.ischeck ?? '0', com: 'zhongtong', nu,
    data: [
      { context: '【杭州市】快件已拒签，退回中', time: '2026-01-10 09:30:00', ftime: '2026-01-10 09:30:00', status: '拒签', areaCode: '330100', areaName: '杭州市' },
      { context: '【杭州市】已揽收', time: '2026-01-09 18:00:00', ftime: '2026-01-09 18:00:00', status: '揽收' },
    ],
  },
});
const shipmentOf = async (externalId: string) => (await db.query(
  'SELECT s.* FROM shipments s JOIN orders o ON o.id = s.order_id WHERE o.external_id = $1', [externalId],
)).rows[0];
const exceptionOf = async (externalId: string, type: string) => (await db.query(
  'SELECT e.* FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1 AND e.type = $2', [externalId, type],
)).rows[0];

async function shipped(trackingNo: string) {
  const order = genericOrder();
  await postOrders(app.url, order);
  await eventually(async () => (await db.query('SELECT 1 FROM orders WHERE external_id = $1 AND processed_revision >= revision', [order.id])).rows[0], 10_000, 'processed');
  const res = await fetch(`${app.url}/api/orders/generic/${order.id}/stage`, {
    method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ stage: 'shipped', at: new Date().toISOString(), tracking_number: trackingNo, carrier: '中通快递' }),
  });
  expect(res.status).toBe(200);
  await eventually(async () => ((await shipmentOf(order.id as string))?.subscription === 'subscribed' ? true : undefined), 10_000, 'the subscription');
  return order.id as string;
}

describe('快递100 subscription and push', () => {
  it('subscribes a parcel when its order ships, with the salt and callback URL', async () => {
    const id = await shipped('ZT7310000000001');
    expect(subscriptions.find((s) => s.number === 'ZT7310000000001')).toEqual(expect.objectContaining({
      schema: 'json', company: 'zhongtong', key: 'test-key',
      parameters: expect.objectContaining({ callbackurl: 'https://ops.example.com/webhooks/tracking/kuaidi100', salt: SALT, resultv2: '1', phone: '5678' }),
    }));
    expect((await shipmentOf(id)).provider).toBe('kuaidi100');
  });

  it('refuses a push with a wrong or missing sign and changes nothing', async () => {
    const id = await shipped('ZT7310000000002');
    const param = kuaidi100Param('ZT7310000000002', '14');
    expect(await push(param, md5(param + 'other-salt'))).toMatchObject({ status: 401, json: { error: 'orderops_signature_invalid' } });
    expect(await push(param, null)).toMatchObject({ status: 401, json: { error: 'orderops_signature_missing' } });
    const s = await shipmentOf(id);
    expect([s.state, s.last_event_at, s.events]).toEqual([null, null, []]);
    expect(await exceptionOf(id, 'delivery_refused')).toBeUndefined();
  });

  it('takes a signed 拒签 push: 快递100 gets its expected answer and delivery_refused opens for customer service', async () => {
    const id = await shipped('ZT7310000000003');
    const param = kuaidi100Param('ZT7310000000003', '14');
    expect(await push(param, md5(param + SALT).toLowerCase())).toEqual({ status: 200, json: { result: true, returnCode: '200', message: '成功' } });
    const s = await shipmentOf(id);
    expect(s).toMatchObject({ state: 'refused', last_state_code: '14' });
    expect(s.picked_up_at.toISOString()).toBe('2026-01-09T10:00:00.000Z');
    const refused = await eventually(() => exceptionOf(id, 'delivery_refused'), 10_000, 'delivery_refused');
    expect(refused).toMatchObject({ team: 'service', rule: 'delivery_refused.refused', status: 'open' });
  });

  it('raises pickup_overdue when a shipped parcel has no pickup in time', async () => {
    const id = await shipped('ZT7310000000004');
    expect(await eventually(() => exceptionOf(id, 'pickup_overdue'), 15_000, 'pickup_overdue')).toMatchObject({ team: 'warehouse' });
  });

  it('a 签收 push moves the order to delivered with the carrier time and closes the subscription', async () => {
    const id = await shipped('ZT7310000000005');
    const param = kuaidi100Param('ZT7310000000005', '3', { ischeck: '1', status: 'shutdown' });
    expect((await push(param, md5(param + SALT))).status).toBe(200);
    await eventually(async () => (await db.query("SELECT 1 FROM orders WHERE external_id = $1 AND stage = 'delivered'", [id])).rows[0], 10_000, 'delivered');
    expect((await shipmentOf(id)).subscription).toBe('closed');
    const { rows } = await db.query(
      "SELECT h.event_at FROM order_history h JOIN orders o ON o.id = h.order_id WHERE o.external_id = $1 AND h.to_stage = 'delivered'", [id],
    );
    expect(rows[0].event_at.toISOString()).toBe('2026-01-10T01:30:00.000Z');
  });
});

describe('POST /webhooks/tracking/generic', () => {
  const post = (body: string, sign = true) => fetch(`${app.url}/webhooks/tracking/generic`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...(sign ? { 'x-orderops-signature': signBody(TEST_SECRET, body) } : {}) }, body,
  }).then(async (r) => ({ status: r.status, json: await r.json() }));

  it('refuses an unsigned body, then records a signed 拒收 event for the named order', async () => {
    const order = genericOrder({ stage: 'shipped', logistics: { intercepted: false, tracking_no: 'YT880000001', carrier: '圆通' } });
    await postOrders(app.url, order);
    const event = JSON.stringify({ source: 'generic', order_id: order.id, tracking_no: 'YT880000001', status: 'refused', at: '2026-01-10T09:00:00+08:00' });
    expect((await post(event, false)).status).toBe(401);
    expect((await post('{"tracking_no":"x"}')).status).toBe(422);
    expect(await post(event)).toMatchObject({ status: 200, json: { ok: true, results: [{ tracking_no: 'YT880000001', result: 'recorded' }] } });
    expect(await eventually(() => exceptionOf(order.id as string, 'delivery_refused'), 10_000, 'delivery_refused')).toMatchObject({ rule: 'delivery_refused.refused' });
  });
});
