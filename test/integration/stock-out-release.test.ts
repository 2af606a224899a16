import pg from 'pg';
import { eventually, genericOrder, postOrders, startTestApp, uid, type TestApp } from '../helpers/test-app';

// Releasing a stock-out order after a restock reserves its units in the same transaction — or is
// refused, saying what is missing — so the last units are never promised twice.

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

const act = async (body: unknown) => {
  const res = await fetch(`${app.url}/local/actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() as any };
};
const skuRow = async (sku: string) => (await db.query('SELECT stock, reserved FROM skus WHERE sku = $1', [sku])).rows[0];

describe('stock-out release holds the unit', () => {
  it('refuses while the units are missing, reserves them on release after a restock', async () => {
    const sku = uid('LAMP');
    await db.query(`INSERT INTO skus (sku, name, stock, price) VALUES ($1, '台灯', 1, 599.00)`, [sku]);
    const first = genericOrder({ items: [{ sku, qty: 1, price: '599.00' }] });
    const second = genericOrder({ items: [{ sku, qty: 1, price: '599.00' }] });
    await postOrders(app.url, first);
    await eventually(async () => ((await skuRow(sku)).reserved === 1 ? true : undefined), 15_000, 'the first order reserved');
    await postOrders(app.url, second);
    const ex = await eventually(async () => (await db.query(
      `SELECT e.id, e.version FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1 AND e.type = 'stock_out'`, [second.id])).rows[0], 15_000, 'the stock-out exception');

    const claimed = await act({ action: 'exception.claim', exceptionId: ex.id, version: ex.version, staff: 'demo.warehouse.supervisor' });
    expect(claimed.status).toBe(200);
    const version = claimed.json.version as number;
    // No unit: the release is refused with what is missing, and nothing changes.
    const refused = await act({ action: 'exception.resolve', exceptionId: ex.id, version, staff: 'demo.warehouse.supervisor' });
    expect(refused.status).toBe(409);
    expect(refused.json.reason).toBe('stock_still_out');
    expect(refused.json.message).toContain(`${sku} ×1 (0)`);
    expect((await db.query('SELECT status FROM exceptions WHERE id = $1', [ex.id])).rows[0].status).not.toBe('resolved');
    expect(await skuRow(sku)).toEqual({ stock: 1, reserved: 1 });

    // Restocked: the release reserves the unit with it (reserved 1 → 2, available 0).
    await db.query('UPDATE skus SET stock = 2 WHERE sku = $1', [sku]);
    const ok = await act({ action: 'exception.resolve', exceptionId: ex.id, version, staff: 'demo.warehouse.supervisor' });
    expect(ok.status).toBe(200);
    expect(await skuRow(sku)).toEqual({ stock: 2, reserved: 2 });
    const held = await db.query(`SELECT r.qty FROM stock_reservations r JOIN orders o ON o.id = r.order_id WHERE o.external_id = $1 AND r.status = 'held'`, [second.id]);
    expect(held.rows).toEqual([{ qty: 1 }]);
    expect((await db.query(`SELECT review_status FROM orders WHERE external_id = $1`, [second.id])).rows[0].review_status).toBe('approved');
  }, 40_000);
});
