import nock from 'nock';
import pg from 'pg';
import { apiGet, eventually, genericOrder, postOrders, startTestApp, type TestApp } from '../helpers/test-app';
import { onlyLoopback, restoreNet } from '../helpers/loopback-only';
import { writeConfig } from '../helpers/config-file';
import { signOutbound } from '../../src/integrations/outbound/erp-webhook';

// The corrected order goes out: the read API shows the effective order beside the platform's
// original, GET /api/orders?updated_since lists changed orders with a cursor that never skips one,
// and a signed webhook tells the ERP of each change that matters to shipping.

const CONFIG = writeConfig(`
shop_sync: { night_guard: { enabled: false }, stock_coalesce_seconds: 1 }
erp_webhook: { url: "https://erp.test/orders", prices: false, stock: false }
`);
const ENV = { ORDEROPS_CONFIG: CONFIG, ORDEROPS_OUTBOUND_SECRET: 'erp-secret' };

let app: TestApp;
let db: pg.Pool;
const events: { id: string; type: string; events: string[]; order: any; signed: boolean }[] = [];

beforeAll(async () => {
  onlyLoopback();
  nock('https://erp.test').persist().post('/orders').reply(function (_u, body) {
    const b = body as { id: string; type: string; events: string[]; order: unknown };
    events.push({ ...b, signed: this.req.headers['x-orderops-signature'] === signOutbound('erp-secret', JSON.stringify(body)) } as never);
    return [200, { ok: true }];
  });
  app = await startTestApp(ENV);
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
});
afterAll(async () => {
  await app.close();
  await db.end();
  restoreNet();
});

const act = async (body: unknown) => {
  const res = await fetch(`${app.url}/local/actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() as any };
};

describe('the corrected order goes out', () => {
  it('a vague address held, then fixed in chat: read API, the changes list and the webhook all show the corrected order', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const order = genericOrder({ address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' } });
    expect((await postOrders(app.url, order)).status).toBe(200);
    const ex = await eventually(async () => (await db.query(`SELECT e.id, e.version FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1 AND e.type = 'vague_address'`, [order.id])).rows[0], 15_000, 'the exception');
    // Held before the warehouse: the ERP is told.
    await eventually(async () => (events.some((e) => e.order.external_id === order.id && e.events.includes('held')) ? true : undefined), 20_000, 'the held event');

    // The list API finds it (a poller starting from before the order).
    const first = await apiGet(app.url, `/api/orders?updated_since=${encodeURIComponent(since)}`);
    expect(first.status).toBe(200);
    const mine = first.json.orders.find((o: { external_id: string }) => o.external_id === order.id);
    expect(mine.effective).toMatchObject({ held: true, address_corrected: false });
    expect(first.json.next_cursor).toEqual(expect.any(String));

    const fixed = await act({ action: 'exception.fix_address', exceptionId: ex.id, version: ex.version, staff: 'demo.service.agent',
      address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号3幢501室' } });
    expect(fixed.status).toBe(200);

    // The read API: the effective order ships to the corrected address, the platform's is beside it.
    const one = await apiGet(app.url, `/api/orders/generic/${order.id}`);
    expect(one.json.effective).toMatchObject({ held: false, review_status: 'approved', address_corrected: true, address: { detail: '文三路90号3幢501室' } });
    expect(one.json.original.address.detail).toBe('小区门口');

    // Polling on with the cursor gives the change once, and only what changed since.
    const next = await eventually(async () => {
      const r = await apiGet(app.url, `/api/orders?cursor=${first.json.next_cursor}`);
      return r.json.orders.some((o: { external_id: string }) => o.external_id === order.id) ? r : undefined;
    }, 10_000, 'the change in the list');
    const changed = next.json.orders.find((o: { external_id: string }) => o.external_id === order.id);
    expect(changed.events).toEqual(expect.arrayContaining(['address_fixed', 'released']));
    expect(changed.effective.address.detail).toBe('文三路90号3幢501室');
    const again = await apiGet(app.url, `/api/orders?cursor=${next.json.next_cursor}`);
    expect(again.json.orders.some((o: { external_id: string }) => o.external_id === order.id)).toBe(false);

    // The webhook: a signed order.changed with the corrected address.
    const hook = await eventually(async () => events.find((e) => e.order.external_id === order.id && e.events.includes('address_fixed')), 20_000, 'the address event');
    expect(hook).toMatchObject({ type: 'order.changed', signed: true, id: expect.stringMatching(/^order-change-\d+$/) });
    expect(hook.order.effective.address.detail).toBe('文三路90号3幢501室');
    expect(hook.order.original.address.detail).toBe('小区门口');
    // held, address fixed, released: each delivered once and recorded as sent.
    await eventually(async () => {
      const r = await db.query(`SELECT events, webhook_status FROM order_changes c JOIN orders o ON o.id = c.order_id WHERE o.external_id = $1 AND webhook_status <> 'none' ORDER BY c.id`, [order.id]);
      return r.rows.length >= 3 && r.rows.every((x) => x.webhook_status === 'sent') ? true : undefined;
    }, 20_000, 'every shipping change sent');
    const sent = events.filter((e) => e.order.external_id === order.id);
    expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
  }, 60_000);

  it.each([
    ['/api/orders', 'give updated_since'],
    ['/api/orders?updated_since=yesterday', 'ISO 8601'],
    ['/api/orders?cursor=nonsense', 'next_cursor'],
    ['/api/orders?updated_since=2026-01-08T00:00:00Z&limit=5000', 'limit'],
    ['/api/orders?since=2026-01-08T00:00:00Z', 'unknown parameter'],
  ])('%s → 400 saying what to send', async (path, says) => {
    const r = await apiGet(app.url, path);
    expect(r.status).toBe(400);
    expect(r.json.message).toContain(says);
  });
});
