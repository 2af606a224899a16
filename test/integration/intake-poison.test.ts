// Issue 13 points 1–3: one order Postgres cannot store never holds up the others, text is made
// storable with the request bytes kept, and what cannot be an order gets 422 once and is kept.
import pg from 'pg';
import { parseGenericOrder } from '../../src/integrations/platforms/generic/generic-order';
import { signBody } from '../../src/integrations/platforms/generic/signature';
import { genericOrder, postOrders, startTestApp, uid, TEST_SECRET, type TestApp } from '../helpers/test-app';

let app: TestApp;
let db: pg.Pool;

beforeAll(async () => {
  app = await startTestApp();
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
  // Poison that no validation can see, made by this file's own database: rows whose remark names a
  // SQLSTATE make Postgres raise it, like a value the store cannot take.
  await db.query(`
    CREATE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.data->>'remark' LIKE 'RAISE %' THEN
        RAISE EXCEPTION 'test poison %', NEW.external_id USING ERRCODE = substr(NEW.data->>'remark', 7, 5);
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER test_poison_trg BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION test_poison();`);
});
afterAll(async () => {
  await app.close();
  await db.end();
});

const stored = async (ids: string[]) =>
  Number((await db.query('SELECT count(*) FROM orders WHERE source = $1 AND external_id = ANY($2)', ['generic', ids])).rows[0].count);
const metric = async (name: string) => {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);
};

describe('poison isolation in group commit', () => {
  it.each([
    ['a check violation (class 23)', '23514'],
    ['a data exception (class 22)', '22008'],
    ['a program limit (class 54)', '54001'],
    ['an error no class names, reproduced by the row alone', 'P0001'],
  ])('a batch of 120 with one poison order (%s) commits the other 119 and refuses only the culprit', async (_label, sqlstate) => {
    const orders = Array.from({ length: 120 }, () => genericOrder());
    orders[37] = genericOrder({ remark: `RAISE ${sqlstate}` });
    const isolationsBefore = await metric('orderops_intake_isolations_total');
    const res = await postOrders(app.url, orders); // one request: one group-commit batch
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ ok: false, error: 'orderops_order_unstorable' });
    expect(res.json.errors).toEqual([expect.objectContaining({ index: 37, field: '(order)', message: expect.stringContaining(`SQLSTATE ${sqlstate}`) })]);
    expect(res.json.orders.filter((o: { result: string }) => o.result === 'created')).toHaveLength(119);
    expect(res.json.orders[37]).toEqual({ id: orders[37]!.id, result: 'refused' });
    const ids = orders.map((o) => o.id as string);
    expect(await stored(ids)).toBe(119);
    expect(await stored([ids[37]!])).toBe(0);
    expect(await metric('orderops_intake_isolations_total')).toBe(isolationsBefore + 1);
    // Kept once, byte-exact, for a person to look at and replay.
    const kept = await db.query('SELECT reason, http_status, errors, body_bytes FROM rejected_payloads WHERE id = $1', [res.json.rejection_id]);
    expect(kept.rows[0]).toMatchObject({ reason: 'unstorable', http_status: 422 });
    expect(kept.rows[0].errors).toEqual([expect.objectContaining({ index: 37, sqlstate })]);
    expect(kept.rows[0].body_bytes.equals(Buffer.from(JSON.stringify(orders)))).toBe(true);
    // A retry of the whole array changes nothing for the 119 and refuses the culprit again.
    const again = await postOrders(app.url, orders);
    expect(again.status).toBe(422);
    expect(again.json.orders.filter((o: { result: string }) => o.result === 'unchanged')).toHaveLength(119);
  });

  it('separate requests sharing a batch: only the poison request is refused', async () => {
    const orders = Array.from({ length: 150 }, () => genericOrder());
    orders[90] = genericOrder({ remark: 'RAISE 23514' });
    const answers = await Promise.all(orders.map((o) => postOrders(app.url, o)));
    expect(answers.map((a) => a.status).filter((s) => s !== 200)).toEqual([422]);
    expect(answers[90]!.status).toBe(422);
    expect(await stored(orders.map((o) => o.id as string))).toBe(149);
  });

  it.each([
    ['too many connections (class 53)', '53300'],
    ['a server shutting down (class 57)', '57P01'],
  ])('a failure of the server (%s) still answers 503 to everyone in the batch', async (_label, sqlstate) => {
    const orders = Array.from({ length: 20 }, () => genericOrder());
    orders[5] = genericOrder({ remark: `RAISE ${sqlstate}` });
    const res = await postOrders(app.url, orders);
    expect(res.status).toBe(503);
    expect(res.json.error).toBe('orderops_intake_unavailable');
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await stored(orders.map((o) => o.id as string))).toBe(0);
  });

  it('two poison orders in one batch: both refused, the rest committed', async () => {
    const orders = Array.from({ length: 100 }, () => genericOrder());
    orders[3] = genericOrder({ remark: 'RAISE 23514' });
    orders[96] = genericOrder({ remark: 'RAISE 22P05' });
    const res = await postOrders(app.url, orders);
    expect(res.status).toBe(422);
    expect(res.json.errors.map((e: { index: number }) => e.index)).toEqual([3, 96]);
    expect(await stored(orders.map((o) => o.id as string))).toBe(98);
  });
});

describe('a paid order is never refused for its text', () => {
  it.each([
    ['a NUL in the remark', { remark: '急\u0000发票' }, '急发票', 'remark'],
    ['a lone high surrogate in the buyer name', { buyer: { name: '王\ud800五', phone: '13812345678' } }, '王\ufffd五', 'buyer.name'],
    ['a lone low surrogate in the address', { address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路\udc0090号' } }, '文三路\ufffd90号', 'address.detail'],
  ])('stores an order with %s, repaired, with its raw body byte-exact', async (_label, extra, expected, path) => {
    const order = genericOrder(extra);
    const raw = JSON.stringify(order);
    const res = await postOrders(app.url, null, { raw });
    expect(res.status).toBe(200);
    expect(res.json.orders[0].result).toBe('created');
    const { rows } = await db.query(
      `SELECT data, raw, raw_body, text_repaired FROM orders WHERE source = 'generic' AND external_id = $1`, [order.id]);
    expect(rows).toHaveLength(1);
    const [field, sub] = path.split('.') as [string, string | undefined];
    const value = sub ? rows[0].raw[field][sub] : rows[0].raw[field];
    expect(value).toBe(expected);
    expect(rows[0].text_repaired).toEqual([path]);
    expect(rows[0].raw_body.equals(Buffer.from(raw))).toBe(true);
  });

  it('keeps nothing extra for a clean order', async () => {
    const order = genericOrder({ remark: '正常备注 ✓ 😀' });
    expect((await postOrders(app.url, order)).status).toBe(200);
    const { rows } = await db.query(`SELECT raw_body, text_repaired, raw->>'remark' AS remark FROM orders WHERE external_id = $1`, [order.id]);
    expect(rows[0]).toEqual({ raw_body: null, text_repaired: null, remark: '正常备注 ✓ 😀' });
  });

  it('processes a repaired order like any other (the NUL remark still raises its invoice exception)', async () => {
    const order = genericOrder({ remark: '要发\u0000票' });
    expect((await postOrders(app.url, order)).status).toBe(200);
    const deadline = Date.now() + 15_000;
    let types: string[] = [];
    while (Date.now() < deadline) {
      types = (await db.query(`SELECT e.type FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1`, [order.id])).rows.map((r) => r.type);
      if (types.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(types).toContain('remark_invoice');
  });

  it('keeps bytes that are not UTF-8 beside the order', async () => {
    const id = uid('GEN');
    const raw = Buffer.from(JSON.stringify(genericOrder({ id, remark: 'AB' })));
    const at = raw.indexOf('"remark":"AB"') + '"remark":"'.length;
    raw[at] = 0xff; // bytes no UTF-8 text holds
    raw[at + 1] = 0xfe;
    const res = await fetch(`${app.url}/webhooks/orders/generic`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-orderops-signature': signBody(TEST_SECRET, raw) }, body: raw,
    });
    expect(res.status).toBe(200);
    const { rows } = await db.query(`SELECT raw_body, text_repaired FROM orders WHERE external_id = $1`, [id]);
    expect(rows[0].raw_body.equals(raw)).toBe(true);
    expect(rows[0].text_repaired[0]).toContain('not UTF-8');
  });
});

describe('what cannot be an order gets 422 once and is kept', () => {
  it.each([
    ['year 0000', { created_at: '0000-01-01T00:00:00Z' }, 'created_at'],
    ['a year beyond 9999', { created_at: '+10000-01-01T00:00:00Z' }, 'created_at'],
    ['an unparseable time', { updated_at: 'yesterday' }, 'updated_at'],
    ['a time before 1970', { balance_due_at: '1969-12-31T23:59:59Z' }, 'balance_due_at'],
  ])('%s answers 422 naming the field (never 503) and lands in the rejected store', async (_label, extra, field) => {
    const order = genericOrder(extra);
    const res = await postOrders(app.url, order);
    expect(res.status).toBe(422);
    expect(res.json.errors).toEqual([expect.objectContaining({ field })]);
    expect(await stored([order.id as string])).toBe(0);
    const kept = await db.query('SELECT http_status, reason, via FROM rejected_payloads WHERE id = $1', [res.json.rejection_id]);
    expect(kept.rows[0]).toEqual({ http_status: 422, reason: 'schema', via: 'webhook' });
  });

  it('from a pull: an optional time no order can have is dropped (the order is kept), a bad creation time refuses the order', async () => {
    const parsed = (o: Record<string, unknown>) => {
      const r = parseGenericOrder(o);
      if (!r.ok) throw new Error('fixture');
      return r.order;
    };
    const kept = genericOrder();
    const refused = genericOrder();
    const results = await app.intake.ingest([
      { order: { ...parsed(kept), paidAt: '0000-01-01T00:00:00Z' } as never, raw: { ...kept, paid_at: '0000-00-00 00:00:00' } },
      { order: { ...parsed(refused), createdAt: '0000-01-01T00:00:00Z' }, raw: refused },
    ], { via: 'pull' });
    expect(results.map((r) => r.outcome)).toEqual(['created', 'refused']);
    const row = (await db.query(`SELECT data, text_repaired FROM orders WHERE external_id = $1`, [kept.id])).rows[0];
    expect(row.data.paidAt).toBeUndefined();
    expect(row.text_repaired).toEqual(['data.paidAt (not a storable time: dropped)']);
    expect(await stored([refused.id as string])).toBe(0);
    const rejection = (results[1] as { rejectionId?: number }).rejectionId;
    const keptRow = (await db.query('SELECT via, reason, errors FROM rejected_payloads WHERE id = $1', [rejection])).rows[0];
    expect(keptRow).toMatchObject({ via: 'pull', reason: 'schema', errors: [expect.objectContaining({ index: 1, field: 'createdAt' })] });
  });

  it('a field nested 10,000 levels deep answers 422 with its path, not 503', async () => {
    const order = genericOrder();
    const raw = `${JSON.stringify(order).slice(0, -1)},"extra":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    const res = await postOrders(app.url, null, { raw });
    expect(res.status).toBe(422);
    expect(res.json.errors[0].field).toMatch(/^extra\.a\.a/);
    expect(res.json.errors[0].message).toContain('nested deeper than 32');
    const kept = await db.query('SELECT reason, octet_length(body_bytes) AS n FROM rejected_payloads WHERE id = $1', [res.json.rejection_id]);
    expect(kept.rows[0]).toEqual({ reason: 'too_deep', n: Buffer.byteLength(raw) });
  });
});
