import pg from 'pg';
import { eventually, startTestApp, uid, TEST_TOKEN, type TestApp } from '../helpers/test-app';

let app: TestApp;
let db: pg.Pool;
beforeAll(async () => {
  app = await startTestApp({ ORDEROPS_LOCAL_CHANNEL: '1' });
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 2 });
});
afterAll(async () => {
  await app.close();
  await db.end();
});

const decide = async (body: unknown) => {
  const res = await fetch(`${app.url}/local/price-actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
};

describe('local channel: price-change cards', () => {
  it('shows approve/reject on the card; an agent is denied, a supervisor approves', async () => {
    const sku = uid('SKU');
    await db.query(`INSERT INTO skus (sku, name, stock, price) VALUES ($1, '台灯', 100, 899.00)`, [sku]);
    const created = await fetch(`${app.url}/api/price-changes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sku, price: '599.00', requested_by: 'demo.service.agent' }),
    });
    expect(created.status).toBeLessThan(300);
    const request = (await db.query('SELECT id, version FROM price_changes WHERE sku = $1', [sku])).rows[0];

    // The card reaches the page with its two decision buttons.
    const view = await eventually(async () => {
      const s = await (await fetch(`${app.url}/local/state?staff=demo.manager`)).json();
      return s.cards.find((c: { key: string }) => c.key === `price:${request.id}`);
    }, 10_000, 'the price card on the page');
    expect(view.texts.decisionButtons.map((b: { action: string }) => b.action)).toEqual(['price.approve', 'price.reject']);

    const denied = await decide({ action: 'price.approve', requestId: request.id, version: request.version, staff: 'demo.service.agent' });
    expect(denied.status).toBe(403);
    expect((await db.query('SELECT price FROM skus WHERE sku = $1', [sku])).rows[0].price).toBe('899.00');

    const ok = await decide({ action: 'price.approve', requestId: request.id, version: request.version, staff: 'demo.service.supervisor' });
    expect(ok.status).toBe(200);
    expect((await db.query('SELECT price FROM skus WHERE sku = $1', [sku])).rows[0].price).toBe('599.00');

    // The second decision on the same version loses: one decision wins.
    const late = await decide({ action: 'price.reject', requestId: request.id, version: request.version, staff: 'demo.manager' });
    expect(late.status).toBe(409);
  });

  it.each([
    [{ action: 'price.burn', requestId: 1, version: 1, staff: 'demo.manager' }],
    [{ action: 'price.approve', requestId: -1, version: 1, staff: 'demo.manager' }],
    [{ action: 'price.approve', requestId: 1, version: 1, staff: 'a b' }],
    [{ action: 'price.approve', requestId: 1, version: 1, staff: 'demo.manager', extra: true }],
  ])('refuses a malformed decision %o with 400', async (body) => {
    expect((await decide(body)).status).toBe(400);
  });
});
