import pg from 'pg';
import { genericOrder, postOrders, startTestApp, eventually, apiGet, type TestApp } from '../helpers/test-app';
import { sweepUnprocessed } from '../../src/jobs/sweep-orders';
import { queueTrigger } from '../../src/jobs/queues';

let db: pg.Pool;
beforeAll(() => {
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
});
afterAll(() => db.end());

const processedRevision = async (externalId: string) =>
  (await db.query('SELECT revision, processed_revision FROM orders WHERE external_id = $1', [externalId])).rows[0];

describe('Redis down at intake', () => {
  let down: TestApp;
  beforeAll(async () => {
    // Nothing listens on port 1: this is a real unreachable Redis, not a mock.
    down = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' }, { role: 'intake' });
  });
  afterAll(() => down.close());

  it('still acknowledges orders once they are committed to Postgres', async () => {
    const order = genericOrder();
    const res = await postOrders(down.url, order);
    expect(res.status).toBe(200);
    expect(res.json.orders[0].result).toBe('created');
    expect(await processedRevision(order.id as string)).toEqual({ revision: 1, processed_revision: 0 });
  });

  it('reports not ready while Redis is unreachable, but stays alive', async () => {
    const ready = await fetch(`${down.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ok: false, postgres: true, redis: false });
    expect((await fetch(`${down.url}/healthz`)).status).toBe(200);
  });

  it('leaves orders for the sweeper, which a healthy copy runs as it starts', async () => {
    const orders = [genericOrder(), genericOrder({ remark: '请开发票' })];
    expect((await postOrders(down.url, orders)).status).toBe(200);

    // A healthy copy starting up sweeps what was left unprocessed.
    const healthy = await startTestApp();
    try {
      for (const o of orders) {
        await eventually(async () => {
          const r = await processedRevision(o.id as string);
          return r.processed_revision === r.revision ? r : undefined;
        }, 15_000, `order ${o.id} processed`);
      }
      const lookup = await apiGet(healthy.url, `/api/orders/generic/${orders[1]!.id}`);
      expect(lookup.json.exceptions.map((e: { type: string }) => e.type)).toEqual(['remark_invoice']);
    } finally {
      await healthy.close();
    }
  });
});

describe('the sweeper', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('re-enqueues an order whose trigger was lost, and a second sweep does not double it', async () => {
    const order = genericOrder({ remark: '转寄给朋友' });
    // Simulate a crash between commit and enqueue: write the row straight into Postgres.
    await db.query(
      `INSERT INTO orders (source, external_id, channel, status, platform_created_at, total, paid, data, raw, content_hash, updated_at)
       VALUES ('generic', $1, 'douyin', 'paid', now(), 599, 599, $2, $3, 'x', now() - interval '1 minute')`,
      [order.id, JSON.stringify(toInternal(order)), JSON.stringify(order)],
    );
    const trigger = queueTrigger(app.orderQueue);
    const n = await sweepUnprocessed(db, trigger, { graceSeconds: 15, limit: 10_000 });
    expect(n).toBeGreaterThanOrEqual(1);
    await eventually(async () => {
      const r = await processedRevision(order.id as string);
      return r.processed_revision === r.revision ? r : undefined;
    });
    await sweepUnprocessed(db, trigger, { graceSeconds: 0, limit: 10_000 });
    const ex = await db.query(
      'SELECT type FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1',
      [order.id],
    );
    expect(ex.rows).toEqual([{ type: 'remark_forward' }]);
  });

  it('leaves fresh orders to the normal path (grace period)', async () => {
    const order = genericOrder();
    await db.query(
      `INSERT INTO orders (source, external_id, channel, status, platform_created_at, total, data, raw, content_hash)
       VALUES ('generic', $1, 'douyin', 'paid', now(), 599, $2, $3, 'x')`,
      [order.id, JSON.stringify(toInternal(order)), JSON.stringify(order)],
    );
    const seen: number[] = [];
    await sweepUnprocessed(db, { enqueue: async (refs) => void seen.push(...refs.map((r) => r.id)) }, { graceSeconds: 3600, limit: 10_000 });
    const id = (await db.query('SELECT id FROM orders WHERE external_id = $1', [order.id])).rows[0].id;
    expect(seen).not.toContain(id);
  });
});

function toInternal(g: Record<string, unknown>) {
  return {
    source: 'generic', externalId: g.id, channel: g.channel, createdAt: g.created_at, status: g.status,
    buyer: g.buyer, address: g.address, items: g.items, total: g.total, paid: g.paid, currency: 'CNY',
    remark: g.remark, presale: false, logistics: { intercepted: false },
  };
}
