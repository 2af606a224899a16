import pg from 'pg';
import { runDemo } from '../../src/cli/demo';
import { DEMO_SKU, DEMO_STOCK } from '../../src/cli/demo-storm';
import { startTestApp, TEST_SECRET, TEST_TOKEN, type TestApp } from '../helpers/test-app';
import { writeConfig } from '../helpers/config-file';

// A small, fast storm through the real app: signed pushes, duplicates, read-back, the proof.
let app: TestApp;
let db: pg.Pool;
let hadSku: boolean;

beforeAll(async () => {
  app = await startTestApp({ ORDEROPS_LOCAL_CHANNEL: '1' });
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 2 });
  hadSku = (await db.query('SELECT 1 FROM skus WHERE sku = $1', [DEMO_SKU])).rowCount! > 0;
});
afterAll(async () => {
  if (!hadSku) await db.query('DELETE FROM skus WHERE sku = $1', [DEMO_SKU]);
  await app.close();
  await db.end();
});

/** Units of the lamp still available: stock less what is reserved (where the bot reserves). */
async function available(): Promise<number> {
  const cols = await db.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'skus' AND column_name = 'reserved'`);
  const { rows } = await db.query(`SELECT stock${cols.rowCount ? ' - reserved' : ''} AS available FROM skus WHERE sku = $1`, [DEMO_SKU]);
  return rows[0].available;
}

const base = () => ({
  url: app.url, secret: TEST_SECRET, seed: 11, waitSeconds: 20, progress: 'none' as const, print: () => undefined,
});

describe('orderops demo', () => {
  it('replays a storm, reads every acknowledged order back and proves nothing was lost', async () => {
    const lines: string[] = [];
    const out = await runDemo({ ...base(), orders: 60, speed: 40, databaseUrl: process.env.TEST_DATABASE_URL, setStock: true, print: (l) => lines.push(l) });
    expect(out.ok).toBe(true);
    expect(out.send.acked.size).toBe(60);
    expect(out.missing).toEqual([]);
    expect(out.send.duplicatePushes).toBe(2);
    expect(out.send.requests).toBeGreaterThanOrEqual(62);
    expect(out.send.results.unchanged).toBeGreaterThanOrEqual(2); // redeliveries stored once
    if ('error' in out.readBack) throw new Error(out.readBack.error);
    expect(out.readBack.stored.size).toBe(60);
    expect(out.readBack.processed).toBe(60);
    expect(Object.keys(out.readBack.exceptions)).toEqual(expect.arrayContaining(['vague_address', 'remark_urgent', 'remark_invoice', 'payment', 'review', 'logistics_intercepted']));
    expect(out.readBack.cards!.byPlatform.local).toBeGreaterThan(0);
    expect(out.readBack.cards!.waiting).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain('acknowledged   60 orders');
    expect(text).toContain('stored         60 orders (read back through the database)');
    expect(text).toContain('✔ nothing lost');
    expect(text).toContain(`local channel  ${app.url}/`);
    // 417 were available; the orders took 65 units (one order takes 6) — reserved by the bot, or
    // (where the bot does not reserve) taken off by the demo's stand-in.
    expect(await available()).toBe(DEMO_STOCK - 65);
    expect(out.readBack.exceptions.stock_out).toBeUndefined();
  });

  it('flags the orders beyond the stock as stock_out, and never one that got stock', async () => {
    // 40 orders, 45 units (one order takes 6), 30 available: at most 15 units go without.
    const out = await runDemo({ ...base(), orders: 40, speed: 40, databaseUrl: process.env.TEST_DATABASE_URL, setStock: true, stock: 30 });
    expect(out.ok).toBe(true);
    if ('error' in out.readBack) throw new Error(out.readBack.error);
    const flagged = out.readBack.exceptions.stock_out ?? 0;
    expect(flagged).toBeGreaterThan(0);
    expect(flagged).toBeLessThanOrEqual(15);
    const { rows } = await db.query(
      `SELECT coalesce(sum((i->>'qty')::int), 0)::int AS units FROM orders o CROSS JOIN LATERAL jsonb_array_elements(o.data->'items') i
       WHERE o.external_id = ANY($1) AND NOT EXISTS (SELECT 1 FROM exceptions e WHERE e.order_id = o.id AND e.type = 'stock_out')`,
      [[...out.send.acked]],
    );
    expect(rows[0].units).toBeGreaterThanOrEqual(30 - 6); // stock went to orders until it ran out
    expect(await available()).toBeLessThan(6);
  });

  it('stands in for the reservation when the bot only checks stock (inventory off)', async () => {
    const checking = await startTestApp({ ORDEROPS_LOCAL_CHANNEL: '1', ORDEROPS_CONFIG: writeConfig('inventory: { enabled: false }\n') });
    try {
      const lines: string[] = [];
      const out = await runDemo({ ...base(), url: checking.url, orders: 40, speed: 40, databaseUrl: process.env.TEST_DATABASE_URL, setStock: true, stock: 30, print: (l) => lines.push(l) });
      expect(out.ok).toBe(true);
      if ('error' in out.readBack) throw new Error(out.readBack.error);
      const flagged = out.readBack.exceptions.stock_out ?? 0;
      expect(flagged).toBeGreaterThan(0);
      expect(flagged).toBeLessThanOrEqual(15);
      expect(lines.join('\n')).toContain('the demo lowered it as each order was processed');
    } finally {
      await checking.close();
    }
  });

  it('reads back through the read API when it has no database access', async () => {
    const out = await runDemo({ ...base(), orders: 20, speed: 60, apiToken: TEST_TOKEN, setStock: false });
    expect(out.ok).toBe(true);
    if ('error' in out.readBack) throw new Error(out.readBack.error);
    expect(out.readBack.via).toBe('read API');
    expect(out.readBack.stored.size).toBe(20);
    expect(out.readBack.cards).toBeNull();
  });

  it('stops at once, with advice, when the bot refuses its signature', async () => {
    const out = await runDemo({ ...base(), secret: 'not-the-secret', orders: 20, speed: 60, setStock: false });
    expect(out.ok).toBe(false);
    expect(out.send.acked.size).toBe(0);
    expect(out.send.fatal).toMatch(/same ORDER_WEBHOOK_SECRET as the bot/);
    expect(out.send.requests).toBeLessThan(20);
  });

  it('sends load only to this machine', async () => {
    await expect(runDemo({ ...base(), url: 'http://10.0.0.5:3000', orders: 1, speed: 1, setStock: false })).rejects.toThrow(/must be on this machine/);
  });
});
