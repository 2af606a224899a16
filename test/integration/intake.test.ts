import pg from 'pg';
import { genericOrder, postOrders, startTestApp, uid, eventually, type TestApp } from '../helpers/test-app';

let app: TestApp;
let db: pg.Pool;

beforeAll(async () => {
  app = await startTestApp();
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
});
afterAll(async () => {
  await app.close();
  await db.end();
});

const countOrders = async (externalId: string) =>
  Number((await db.query('SELECT count(*) FROM orders WHERE source = $1 AND external_id = $2', ['generic', externalId])).rows[0].count);
const rejectsContaining = async (marker: string) =>
  (await db.query('SELECT reason, http_status, errors FROM rejected_payloads WHERE body LIKE $1', [`%${marker}%`])).rows;

describe('POST /webhooks/orders/generic — refusals change nothing', () => {
  it('refuses an unsigned request with 401 and stores nothing, not even a rejection', async () => {
    const order = genericOrder();
    const res = await postOrders(app.url, order, { secret: null });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ ok: false, error: 'orderops_signature_missing' });
    expect(await countOrders(order.id as string)).toBe(0);
    expect(await rejectsContaining(order.id as string)).toHaveLength(0);
  });

  it.each([
    ['a wrong secret', { secret: 'not-the-secret' }],
    ['a signature of another body', { signature: `sha256=${'0'.repeat(64)}` }],
    ['a malformed header', { signature: 'md5=abc' }],
    ['a bare hex digest without the sha256= prefix', { signature: 'a'.repeat(64) }],
  ])('refuses %s with 401', async (_label, opts) => {
    const order = genericOrder();
    const res = await postOrders(app.url, order, opts);
    expect(res.status).toBe(401);
    expect(res.json.error).toBe('orderops_signature_invalid');
    expect(await countOrders(order.id as string)).toBe(0);
  });

  it('refuses a body over 1 MiB with 413, signed or not, and stores nothing', async () => {
    const order = genericOrder({ padding: 'x'.repeat(1024 * 1024) });
    const res = await postOrders(app.url, order);
    expect(res.status).toBe(413);
    expect(res.json.error).toBe('orderops_body_too_large');
    expect(await countOrders(order.id as string)).toBe(0);
  });

  it('answers malformed JSON with 400 and keeps the signed body in the reject table', async () => {
    const marker = uid('BAD');
    const res = await postOrders(app.url, null, { raw: `{"id":"${marker}", "status": ` });
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('orderops_malformed_json');
    const rows = await rejectsContaining(marker);
    expect(rows).toEqual([expect.objectContaining({ reason: 'malformed_json', http_status: 400 })]);
  });

  it('answers a schema failure with 422 naming each failing field, and keeps it', async () => {
    const order = genericOrder({ items: [{ sku: 'A', qty: 0 }], total: 'lots', created_at: 'yesterday' });
    delete order.status;
    const res = await postOrders(app.url, order);
    expect(res.status).toBe(422);
    expect(res.json.error).toBe('orderops_schema_invalid');
    const fields = res.json.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['created_at', 'items.0.qty', 'status', 'total']);
    expect(res.json.message).toContain('items.0.qty');
    expect(await countOrders(order.id as string)).toBe(0);
    const rows = await rejectsContaining(order.id as string);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ reason: 'schema', http_status: 422 });
    expect(rows[0].errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'items.0.qty' })]));
  });

  it('refuses a whole array when one order in it is invalid, pointing at its index', async () => {
    const good = genericOrder();
    const bad = genericOrder({ items: [] });
    const res = await postOrders(app.url, [good, bad]);
    expect(res.status).toBe(422);
    expect(res.json.errors).toEqual([expect.objectContaining({ index: 1, field: 'items' })]);
    expect(await countOrders(good.id as string)).toBe(0);
  });

  it('refuses an empty array and a JSON value that is not an order', async () => {
    expect((await postOrders(app.url, [])).status).toBe(422);
    const res = await postOrders(app.url, 'just a string');
    expect(res.status).toBe(422);
  });

  it('answers 404 for an unknown source, listing the known ones', async () => {
    const res = await fetch(`${app.url}/webhooks/orders/nosuchshop`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect((await res.json()).message).toContain('generic');
  });
});

describe('POST /webhooks/orders/generic — accepted orders', () => {
  it('stores an order once committed, keeps unknown fields, and processes it', async () => {
    const order = genericOrder({ remark: '发票抬头：杭州某某公司', loyalty_points: 42 });
    const res = await postOrders(app.url, order);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true, received: 1, orders: [{ id: order.id, result: 'created' }] });
    const row = (await db.query('SELECT total, raw, status, stage FROM orders WHERE external_id = $1', [order.id])).rows[0];
    expect(row.total).toBe('599.00');
    expect(row.raw.loyalty_points).toBe(42);
    const ex = await eventually(async () => {
      const r = await db.query(
        `SELECT e.type, e.team FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1`,
        [order.id],
      );
      return r.rows.length > 0 ? r.rows : undefined;
    }, 10_000, 'the invoice exception');
    expect(ex).toEqual([{ type: 'remark_invoice', team: 'finance' }]);
  });

  it('auto-approves a clean paid order and moves it to the reviewed stage', async () => {
    const order = genericOrder();
    expect((await postOrders(app.url, order)).status).toBe(200);
    const row = await eventually(async () => {
      const r = await db.query('SELECT review_status, stage FROM orders WHERE external_id = $1 AND processed_revision = revision', [order.id]);
      return r.rows[0];
    });
    expect(row).toEqual({ review_status: 'auto_approved', stage: 'reviewed' });
    const n = await db.query('SELECT count(*) FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1', [order.id]);
    expect(Number(n.rows[0].count)).toBe(0);
  });

  it('stores a repeated identical post once and reports it unchanged', async () => {
    const order = genericOrder();
    expect((await postOrders(app.url, order)).json.orders[0].result).toBe('created');
    expect((await postOrders(app.url, order)).json.orders[0].result).toBe('unchanged');
    expect(await countOrders(order.id as string)).toBe(1);
    // Only the webhook's own transitions: processing may also move the stage to reviewed meanwhile.
    const h = await db.query(
      `SELECT count(*) FROM order_history h JOIN orders o ON o.id = h.order_id WHERE o.external_id = $1 AND h.source = 'webhook'`,
      [order.id],
    );
    expect(Number(h.rows[0].count)).toBe(1);
  });

  it('stores concurrent duplicates once: exactly one request creates it', async () => {
    const order = genericOrder();
    const results = await Promise.all(Array.from({ length: 20 }, () => postOrders(app.url, order)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const outcomes = results.map((r) => r.json.orders[0].result);
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'unchanged')).toHaveLength(19);
    expect(await countOrders(order.id as string)).toBe(1);
  });

  it('treats the same id twice in one array as a sequence, not a conflict', async () => {
    const paid = genericOrder();
    const cancelled = { ...paid, status: 'cancelled' };
    const res = await postOrders(app.url, [paid, cancelled]);
    expect(res.status).toBe(200);
    expect(res.json.orders.map((o: { result: string }) => o.result)).toEqual(['created', 'updated']);
    const row = (await db.query('SELECT status, revision FROM orders WHERE external_id = $1', [paid.id])).rows[0];
    expect(row).toEqual({ status: 'cancelled', revision: 2 });
  });

  it('applies a newer status, records the transition, and ignores a stale repost', async () => {
    const order = genericOrder({ status: 'partially_paid', paid: '100.00' });
    await postOrders(app.url, order);
    const opened = await eventually(async () => {
      const r = await db.query(
        `SELECT e.id, e.status FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1 AND e.type = 'payment'`,
        [order.id],
      );
      return r.rows[0];
    });
    expect(opened.status).toBe('open');

    const cancelled = { ...order, status: 'cancelled' };
    expect((await postOrders(app.url, cancelled)).json.orders[0].result).toBe('updated');
    // A late delivery of the old state must not roll the order back.
    expect((await postOrders(app.url, order)).json.orders[0].result).toBe('unchanged');

    const history = (
      await db.query(
        `SELECT from_status, to_status FROM order_history h JOIN orders o ON o.id = h.order_id WHERE o.external_id = $1 ORDER BY h.id`,
        [order.id],
      )
    ).rows;
    expect(history).toEqual([
      { from_status: null, to_status: 'partially_paid' },
      { from_status: 'partially_paid', to_status: 'cancelled' },
    ]);
    const closed = await eventually(async () => {
      const r = await db.query(`SELECT status, resolution FROM exceptions WHERE id = $1 AND status = 'resolved'`, [opened.id]);
      return r.rows[0];
    });
    expect(closed.resolution).toContain('cancelled');
    const audit = await db.query(`SELECT action, actor FROM audit_log WHERE entity = 'exception' AND entity_id = $1 ORDER BY id`, [opened.id]);
    expect(audit.rows).toEqual([
      { action: 'exception.opened', actor: 'system' },
      { action: 'exception.auto_resolved', actor: 'system' },
    ]);
  });

  it('uses the platform updated_at, when sent, to decide which post is newer', async () => {
    const base = genericOrder({ updated_at: '2026-01-08T20:05:00+08:00', remark: 'first' });
    await postOrders(app.url, base);
    const older = { ...base, updated_at: '2026-01-08T20:04:00+08:00', remark: 'older edit' };
    expect((await postOrders(app.url, older)).json.orders[0].result).toBe('unchanged');
    const newer = { ...base, updated_at: '2026-01-08T20:06:00+08:00', remark: 'newer edit' };
    expect((await postOrders(app.url, newer)).json.orders[0].result).toBe('updated');
    const row = (await db.query(`SELECT data->>'remark' AS remark FROM orders WHERE external_id = $1`, [base.id])).rows[0];
    expect(row.remark).toBe('newer edit');
  });

  it('advances the stage from a later post but never rewinds it', async () => {
    const order = genericOrder({ stage: 'packed' });
    await postOrders(app.url, order);
    await postOrders(app.url, { ...order, stage: 'printed', remark: 'late' });
    const row = (await db.query('SELECT stage FROM orders WHERE external_id = $1', [order.id])).rows[0];
    expect(row.stage).toBe('packed');
  });
});
