import pg from 'pg';
import type { Card, ChatPort, PostedMessage } from '../../src/domain/ports';
import { processOrder } from '../../src/actions/process-order';
import { eventually, genericOrder, postOrders, startTestApp, uid, type TestApp } from '../helpers/test-app';
import { writeConfig } from '../helpers/config-file';

jest.setTimeout(120_000);

/** A chat platform that records what it was asked to show. */
function recordingPort(): ChatPort & { posts: { channel: string; messageId: string; card: Card }[]; updates: { messageId: string; card: Card }[] } {
  const posts: { channel: string; messageId: string; card: Card }[] = [];
  const updates: { messageId: string; card: Card }[] = [];
  let n = 0;
  return {
    platform: 'slack',
    posts,
    updates,
    channelFor: (team) => `C-${team}`,
    async postCard(channel: string, card: Card): Promise<PostedMessage> {
      const messageId = `m${++n}`;
      posts.push({ channel, messageId, card });
      return { channel, messageId };
    },
    async updateCard(message: PostedMessage, card: Card): Promise<void> {
      updates.push({ messageId: message.messageId, card });
    },
    async replyPrivately() {},
    async sendDirect() {
      return true;
    },
  };
}

const POOL_SKU = uid('POOL');
let app: TestApp;
let chat: ReturnType<typeof recordingPort>;
let db: pg.Pool;

beforeAll(async () => {
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
  chat = recordingPort();
  const config = writeConfig(`
inventory:
  low_stock_threshold: 10
  sku_pools:
    ${POOL_SKU}:
      douyin_live: { channels: [douyin], reserve: 30 }
`);
  app = await startTestApp({ ORDEROPS_CONFIG: config, ORDEROPS_LOCAL_CHANNEL: '0' }, { chats: [chat] });
});
afterAll(async () => {
  await app.close();
  await db.end();
});

async function addSku(sku: string, stock: number, threshold: number | null = null) {
  await db.query('INSERT INTO skus (sku, name, stock, price, owner, low_stock_threshold) VALUES ($1, $2, $3, 599.00, NULL, $4)', [sku, `lamp ${sku}`, stock, threshold]);
}

const order = (sku: string, over: Record<string, unknown> = {}) => genericOrder({ items: [{ sku, qty: 1, price: '599.00' }], ...over });

async function waitProcessed(ids: string[], ms = 90_000) {
  await eventually(async () => {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM orders WHERE source = 'generic' AND external_id = ANY($1) AND processed_revision >= revision`,
      [ids],
    );
    return rows[0]!.n === ids.length ? true : undefined;
  }, ms, `${ids.length} orders processed`);
}

const skuRow = async (sku: string) =>
  (await db.query<{ stock: number; reserved: number }>('SELECT stock, reserved FROM skus WHERE sku = $1', [sku])).rows[0]!;

it('the live stream: 500 on hand, 83 sold elsewhere, 500 concurrent orders → exactly 417 reserved, 83 stock-out', async () => {
  const sku = uid('LAMP');
  await addSku(sku, 500, 0);
  const elsewhere = Array.from({ length: 83 }, () => order(sku, { channel: 'taobao', shop: 'tmall' }));
  expect((await postOrders(app.url, elsewhere)).status).toBe(200);
  await waitProcessed(elsewhere.map((o) => o.id as string));
  expect(await skuRow(sku)).toEqual({ stock: 500, reserved: 83 });

  const live = Array.from({ length: 500 }, () => order(sku));
  const answers = await Promise.all(live.map((o) => postOrders(app.url, o)));
  expect(answers.every((a) => a.status === 200)).toBe(true);
  const ids = live.map((o) => o.id as string);
  await waitProcessed(ids);

  expect(await skuRow(sku)).toEqual({ stock: 500, reserved: 500 });
  const { rows } = await db.query<{ held: number; stock_out: number; both: number; neither: number }>(
    `WITH o AS (
       SELECT o.id,
         EXISTS (SELECT 1 FROM stock_reservations r WHERE r.order_id = o.id AND r.status = 'held') AS held,
         EXISTS (SELECT 1 FROM exceptions e WHERE e.order_id = o.id AND e.type = 'stock_out') AS stock_out
       FROM orders o WHERE o.source = 'generic' AND o.external_id = ANY($1))
     SELECT count(*) FILTER (WHERE held)::int AS held, count(*) FILTER (WHERE stock_out)::int AS stock_out,
            count(*) FILTER (WHERE held AND stock_out)::int AS both, count(*) FILTER (WHERE NOT held AND NOT stock_out)::int AS neither
     FROM o`,
    [ids],
  );
  expect(rows[0]).toEqual({ held: 417, stock_out: 83, both: 0, neither: 0 });
  const sum = await db.query<{ qty: number }>(`SELECT coalesce(sum(qty), 0)::int AS qty FROM stock_reservations WHERE sku = $1 AND status = 'held'`, [sku]);
  expect(sum.rows[0]!.qty).toBe(500); // 83 + 417: the counter matches the rows, nothing negative
  // Stock-out orders are intercepted: held for review, never released to the warehouse.
  const stages = await db.query<{ stage: string; review_status: string; n: number }>(
    `SELECT o.stage, o.review_status, count(*)::int AS n FROM orders o JOIN exceptions e ON e.order_id = o.id AND e.type = 'stock_out'
     WHERE o.external_id = ANY($1) GROUP BY 1, 2`,
    [ids],
  );
  expect(stages.rows).toEqual([{ stage: 'pending', review_status: 'held', n: 83 }]);
});

it('a channel pool: the live stream keeps 30 of 100, the other platforms share 70', async () => {
  await addSku(POOL_SKU, 100, 0);
  const others = Array.from({ length: 75 }, () => order(POOL_SKU, { channel: 'jd', shop: 'jd-flagship' }));
  await Promise.all(others.map((o) => postOrders(app.url, o)));
  await waitProcessed(others.map((o) => o.id as string));
  expect(await skuRow(POOL_SKU)).toEqual({ stock: 100, reserved: 70 });
  const live = Array.from({ length: 32 }, () => order(POOL_SKU));
  await Promise.all(live.map((o) => postOrders(app.url, o)));
  await waitProcessed(live.map((o) => o.id as string));
  expect(await skuRow(POOL_SKU)).toEqual({ stock: 100, reserved: 100 });
  const usage = await db.query('SELECT pool, held FROM sku_pool_usage WHERE sku = $1', [POOL_SKU]);
  expect(usage.rows).toEqual([{ pool: 'douyin_live', held: 30 }]);
  const out = await db.query<{ channel: string; n: number }>(
    `SELECT o.channel, count(*)::int AS n FROM exceptions e JOIN orders o ON o.id = e.order_id
     WHERE e.type = 'stock_out' AND o.external_id = ANY($1) GROUP BY 1 ORDER BY 1`,
    [[...others, ...live].map((o) => o.id)],
  );
  expect(out.rows).toEqual([{ channel: 'douyin', n: 2 }, { channel: 'jd', n: 5 }]);
});

it('cancellation releases the reservation; re-processing a revision never reserves twice', async () => {
  const sku = uid('CXL');
  await addSku(sku, 50, 0);
  const o = genericOrder({ items: [{ sku, qty: 2, price: '1.00' }, { sku, qty: 1, price: '1.00' }], total: '3.00', paid: '3.00' });
  await postOrders(app.url, o);
  await waitProcessed([o.id as string]);
  expect(await skuRow(sku)).toEqual({ stock: 50, reserved: 3 });

  // A crash after commit re-runs the job: the revision was processed, so force a re-run.
  const { rows } = await db.query<{ id: number }>(`UPDATE orders SET processed_revision = 0 WHERE external_id = $1 RETURNING id`, [o.id]);
  const orderId = rows[0]!.id;
  const settings = app.config.settings;
  const r = await processOrder({ pool: app.pool, rules: settings.rules, locale: settings.locale, clock: { now: () => new Date() }, inventory: settings.inventory }, orderId);
  expect(r.status).toBe('processed');
  expect(await skuRow(sku)).toEqual({ stock: 50, reserved: 3 });
  expect((await db.query(`SELECT qty FROM stock_reservations WHERE order_id = $1`, [orderId])).rows).toEqual([{ qty: 3 }]);

  await postOrders(app.url, { ...o, status: 'cancelled' });
  await eventually(async () => ((await skuRow(sku)).reserved === 0 ? true : undefined), 15_000, 'release');
  const res = await db.query(`SELECT status, release_reason FROM stock_reservations WHERE order_id = $1`, [orderId]);
  expect(res.rows).toEqual([{ status: 'released', release_reason: 'order cancelled' }]);
  const audit = await db.query(`SELECT action FROM audit_log WHERE entity = 'order' AND entity_id = $1 AND action LIKE 'stock.%' ORDER BY id`, [orderId]);
  expect(audit.rows.map((a) => a.action)).toEqual(['stock.reserved', 'stock.released']);
});

it('shipping consumes the reservation: the units leave stock once, and nothing is reserved again', async () => {
  const sku = uid('SHIP');
  await addSku(sku, 20, 0);
  const o = genericOrder({ items: [{ sku, qty: 2, price: '1.00' }], total: '2.00', paid: '2.00', updated_at: '2026-01-08T20:10:00+08:00' });
  await postOrders(app.url, o);
  await waitProcessed([o.id as string]);
  expect(await skuRow(sku)).toEqual({ stock: 20, reserved: 2 });

  await postOrders(app.url, { ...o, stage: 'shipped', updated_at: '2026-01-09T10:00:00+08:00' });
  await eventually(async () => ((await skuRow(sku)).reserved === 0 ? true : undefined), 15_000, 'consumed');
  expect(await skuRow(sku)).toEqual({ stock: 18, reserved: 0 }); // on_ship: deduct (the default)
  const { rows } = await db.query(`SELECT r.status, r.release_reason FROM stock_reservations r JOIN orders o ON o.id = r.order_id WHERE o.external_id = $1`, [o.id]);
  expect(rows).toEqual([{ status: 'consumed', release_reason: 'order shipped' }]);

  // Delivered, then completed: nothing more moves, and no stock-out is raised for goods already gone.
  await postOrders(app.url, { ...o, stage: 'delivered', status: 'completed', updated_at: '2026-01-10T10:00:00+08:00' });
  await eventually(async () => {
    const { rows: r } = await db.query(`SELECT 1 FROM orders WHERE external_id = $1 AND status = 'completed' AND processed_revision >= revision`, [o.id]);
    return r.length === 1 ? true : undefined;
  }, 15_000, 'the completed revision processed');
  expect(await skuRow(sku)).toEqual({ stock: 18, reserved: 0 });
  const audit = await db.query(
    `SELECT a.action FROM audit_log a JOIN orders o ON o.id = a.entity_id WHERE a.entity = 'order' AND o.external_id = $1 AND a.action LIKE 'stock.%' ORDER BY a.id`,
    [o.id],
  );
  expect(audit.rows.map((a) => a.action)).toEqual(['stock.reserved', 'stock.consumed']);
  const outs = await db.query(`SELECT e.type FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1 AND e.status <> 'resolved'`, [o.id]);
  expect(outs.rows).toEqual([]);
});

it('a low-stock card is posted once, updated in place as stock moves, and closed when restocked', async () => {
  const sku = uid('LOW');
  await addSku(sku, 12);
  const cardEvents = () => ({
    posts: chat.posts.filter((p) => p.card.kind === 'lowstock' && p.card.sku === sku),
    updates: chat.updates.filter((u) => u.card.kind === 'lowstock' && u.card.sku === sku),
  });
  const a = genericOrder({ items: [{ sku, qty: 3, price: '1.00' }] });
  await postOrders(app.url, a);
  await eventually(async () => (cardEvents().posts.length === 1 ? true : undefined), 15_000, 'low-stock card posted');
  const first = cardEvents().posts[0]!;
  expect(first.channel).toBe('C-warehouse');
  expect(first.card).toMatchObject({ status: 'open', available: 9, threshold: 10, version: 1 });

  const b = genericOrder({ items: [{ sku, qty: 1, price: '1.00' }] });
  await postOrders(app.url, b);
  await eventually(async () => (cardEvents().updates.some((u) => u.card.version === 2) ? true : undefined), 15_000, 'card updated');
  expect(cardEvents().updates.find((u) => u.card.version === 2)!.card).toMatchObject({ status: 'open', available: 8, lowest: 8 });

  // Restock: b cancelled → 9 (still low: updated), then a → 12 available: closed.
  await postOrders(app.url, { ...b, status: 'cancelled' });
  await eventually(async () => (cardEvents().updates.some((u) => u.card.version === 3) ? true : undefined), 15_000, 'card updated again');
  expect(cardEvents().updates.find((u) => u.card.version === 3)!.card).toMatchObject({ status: 'open', available: 9, lowest: 8 });
  await postOrders(app.url, { ...a, status: 'cancelled' });
  await eventually(async () => (cardEvents().updates.some((u) => u.card.kind === 'lowstock' && u.card.status === 'cleared') ? true : undefined), 15_000, 'card cleared');
  const ev = cardEvents();
  expect(ev.posts).toHaveLength(1); // never posted again
  expect(new Set(ev.updates.map((u) => u.messageId))).toEqual(new Set([first.messageId])); // the same message, in place
  const alerts = await db.query(`SELECT status, version, lowest FROM low_stock_alerts WHERE sku = $1`, [sku]);
  expect(alerts.rows).toEqual([{ status: 'cleared', version: 4, lowest: 8 }]);
  const msgs = await db.query(`SELECT card_key, rendered_version FROM chat_messages WHERE card_key LIKE 'lowstock:%' AND card_key = $1`, [`lowstock:${(await db.query('SELECT id FROM low_stock_alerts WHERE sku = $1', [sku])).rows[0].id}`]);
  expect(msgs.rows).toHaveLength(1);
  await eventually(async () => {
    const r = await db.query('SELECT rendered_version FROM chat_messages WHERE card_key = $1', [msgs.rows[0].card_key]);
    return r.rows[0].rendered_version === 4 ? true : undefined;
  }, 10_000, 'rendered version 4');
});
