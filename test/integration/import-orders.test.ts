import path from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { importCommand } from '../../src/cli/import-skus';
import { readConfig } from '../../src/config';
import { processOrder } from '../../src/actions/process-order';
import { upsertOrders } from '../../src/db/order-writes';
import { staleCards } from '../../src/db/chat-messages';
import { sweepUnprocessed } from '../../src/jobs/sweep-orders';
import { sweepSla } from '../../src/jobs/sla-jobs';
import { checkBacklog } from '../../src/actions/check-backlog';
import { parseGenericOrder } from '../../src/integrations/platforms/generic/generic-order';
import { genericOrder, uid } from '../helpers/test-app';

let db: pg.Pool;
beforeAll(() => {
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 3 });
});
afterAll(() => db.end());

const dir = mkdtempSync(path.join(tmpdir(), 'orderops-import-orders-'));
const env = () => ({ DATABASE_URL: process.env.TEST_DATABASE_URL, USER: process.env.USER || 'postgres' });
const settings = () => readConfig(env()).settings;

async function run(lines: (Record<string, unknown> | string)[], ...flags: string[]) {
  const file = path.join(dir, `${uid('file')}.jsonl`);
  writeFileSync(file, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  const out: string[] = [];
  const err: string[] = [];
  const code = await importCommand(['orders', file, ...flags], env(), { out: (l) => out.push(l), err: (l) => err.push(l), progress: false });
  return { code, file, out: out.join('\n'), err: err.join('\n') };
}

async function stored(id: string) {
  const { rows } = await db.query(
    `SELECT id, status, stage, tags, priority, review_status, revision, processed_revision, imported_revision, quiet,
       platform_updated_at, data->>'remark' AS remark, raw->>'note' AS note
     FROM orders WHERE source = 'generic' AND external_id = $1`,
    [id],
  );
  return rows;
}

const exceptionsOf = async (orderId: number) =>
  (await db.query(`SELECT id, type, status, quiet, version, claim_due_at FROM exceptions WHERE order_id = $1 ORDER BY type`, [orderId])).rows;
const historyOf = async (orderId: number) =>
  (await db.query(`SELECT from_status, to_status, from_stage, to_stage, actor, source FROM order_history WHERE order_id = $1 ORDER BY id`, [orderId])).rows;

const T = (h: number) => `2026-01-08T${String(h).padStart(2, '0')}:00:00+08:00`;
const done = (o: Record<string, unknown> = {}) => genericOrder({ status: 'completed', stage: 'delivered', ...o });
/** In flight with a vague address and an urgent remark: two exceptions, tag urgent. */
const troubled = (o: Record<string, unknown> = {}) =>
  genericOrder({ remark: '急！10号前送达', address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' }, ...o });

describe('orderops import orders', () => {
  it('imports history: counts, classification, quiet exceptions only for orders in flight, history via import', async () => {
    const a = troubled();
    const b = done({ remark: '急！10号前送达', address: { province: '浙江省', city: '杭州市', detail: '小区门口' } });
    const c = genericOrder({ buyer: { name: '赵六', vip: true } });
    const r = await run([a, b, c]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('imported 3 order line(s): 3 new, 0 updated, 0 unchanged');
    expect(r.out).toContain('exceptions of orders in flight, recorded without cards: 2 opened, 0 resolved');

    const [sa] = await stored(a.id as string);
    expect(sa).toMatchObject({ status: 'paid', stage: 'pending', tags: ['urgent'], priority: 1, review_status: 'held', revision: 1, processed_revision: 1, imported_revision: 1, quiet: true });
    expect((await exceptionsOf(sa.id)).map((e) => [e.type, e.status, e.quiet])).toEqual([['remark_urgent', 'open', true], ['vague_address', 'open', true]]);
    // Completed: classified (tags, held for what the rules found) but no exception recorded.
    const [sb] = await stored(b.id as string);
    expect(sb).toMatchObject({ tags: ['urgent'], review_status: 'held', stage: 'delivered', processed_revision: 1, quiet: true });
    expect(await exceptionsOf(sb.id)).toEqual([]);
    // History happened then: it is not counted as orders arriving now (silence detection reads received_at).
    const when = await db.query(`SELECT received_at = platform_created_at AS historic FROM orders WHERE id = $1`, [sb.id]);
    expect(when.rows).toEqual([{ historic: true }]);
    // Clean and paid: auto-approved, moved to reviewed as processing would.
    const [sc] = await stored(c.id as string);
    expect(sc).toMatchObject({ tags: ['vip'], priority: 2, review_status: 'auto_approved', stage: 'reviewed' });

    expect(await historyOf(sa.id)).toEqual([{ from_status: null, to_status: 'paid', from_stage: null, to_stage: 'pending', actor: 'source:generic', source: 'import' }]);
    expect(await historyOf(sc.id)).toEqual([{ from_status: null, to_status: 'paid', from_stage: null, to_stage: 'reviewed', actor: 'source:generic', source: 'import' }]);
    // Audit of the quiet exceptions; nothing for chat: no card rows, none due for the card sweeper.
    const ids = (await exceptionsOf(sa.id)).map((e) => e.id);
    const audit = await db.query(`SELECT action, actor, source FROM audit_log WHERE entity = 'exception' AND entity_id = ANY($1)`, [ids]);
    expect(audit.rows).toEqual([{ action: 'exception.opened', actor: 'system', source: 'import' }, { action: 'exception.opened', actor: 'system', source: 'import' }]);
    expect((await db.query(`SELECT count(*)::int AS n FROM chat_messages WHERE exception_id = ANY($1)`, [ids])).rows[0].n).toBe(0);
    const due = await staleCards(db, 'slack', null, 0, 10_000);
    expect(due.filter((d) => ids.includes(d.id))).toEqual([]);
    expect((await db.query(`SELECT count(*)::int AS n FROM stock_reservations WHERE order_id = $1`, [sa.id])).rows[0].n).toBe(0);

    // Running the same file again changes nothing.
    const again = await importCommand(['orders', r.file], env(), { out: () => undefined, err: () => undefined, progress: false });
    expect(again).toBe(0);
    expect(await stored(a.id as string)).toEqual([sa]);
    expect(await historyOf(sa.id)).toHaveLength(1);
    expect((await exceptionsOf(sa.id)).map((e) => e.version)).toEqual([1, 1]);
  });

  it('keeps the newest line of an order in the file, and never lets an older line replace a stored one', async () => {
    const id = uid('DUP');
    const r = await run([
      genericOrder({ id, status: 'paid', updated_at: T(10), note: 'first' }),
      genericOrder({ id, status: 'completed', stage: 'delivered', updated_at: T(12), note: 'newest' }),
      genericOrder({ id, status: 'cancelled', updated_at: T(11), note: 'older' }),
    ]);
    expect(r.out).toContain('imported 3 order line(s): 1 new, 0 updated, 2 unchanged');
    const [o] = await stored(id);
    expect(o).toMatchObject({ status: 'completed', stage: 'delivered', note: 'newest', revision: 1 });

    // Against what is stored: an older line is ignored, a newer one wins (stage never rewinds).
    const older = await run([genericOrder({ id, status: 'refunded', updated_at: T(11), note: 'stale' })]);
    expect(older.out).toContain('0 new, 0 updated, 1 unchanged');
    expect((await stored(id))[0]).toMatchObject({ status: 'completed', note: 'newest', revision: 1 });
    const newer = await run([genericOrder({ id, status: 'refunded', stage: 'pending', updated_at: T(13), note: 'refund' })]);
    expect(newer.out).toContain('0 new, 1 updated, 0 unchanged');
    expect((await stored(id))[0]).toMatchObject({ status: 'refunded', stage: 'delivered', note: 'refund', revision: 2, processed_revision: 2, imported_revision: 2, quiet: true });
    expect((await historyOf(o.id)).map((h) => [h.from_status, h.to_status, h.source])).toEqual([[null, 'completed', 'import'], ['completed', 'refunded', 'import']]);
  });

  it('reports every bad line with its number and takes every good one', async () => {
    const good1 = genericOrder();
    const good2 = genericOrder();
    const r = await run([
      good1,
      '{"id": "broken", "status": ',
      genericOrder({ items: undefined, total: undefined }),
      `{"id":"HUGE","remark":"${'x'.repeat(1024 * 1024)}"}`,
      genericOrder({ id: 'WRONG-TYPES', status: 'shipped', items: [{ sku: 'LAMP-01', qty: '1' }], buyer: { vip: 'yes' } }),
      '',
      good2,
    ]);
    expect(r.code).toBe(1);
    const reported = r.err.split('\n').filter((l) => l.startsWith('line ')).map((l) => l.split(':').slice(0, 2).join(':'));
    expect(reported).toEqual([
      'line 2: (line)',
      expect.stringMatching(/^line 3 \(GEN-[^)]+\): items$/), expect.stringMatching(/^line 3 \(GEN-[^)]+\): total$/),
      'line 4: (line)',
      'line 5 (WRONG-TYPES): status', 'line 5 (WRONG-TYPES): buyer.vip', 'line 5 (WRONG-TYPES): items.0.qty',
    ]);
    expect(r.err).toContain('line 4: (line): longer than 1 MiB');
    expect(r.err).toContain('imported 2 order line(s): 2 new, 0 updated, 0 unchanged');
    expect(r.err).toContain('; 4 bad line(s) skipped');
    expect(await stored(good1.id as string)).toHaveLength(1);
    expect(await stored(good2.id as string)).toHaveLength(1);
    expect(await stored('WRONG-TYPES')).toEqual([]);
  });

  it('an imported order updated later by a webhook is processed as usual: its exceptions come to chat', async () => {
    const o = troubled();
    await run([o]);
    const [before] = await stored(o.id as string);
    const old = await exceptionsOf(before.id);
    // The platform pushes an update: still a landmark address, urgency gone, an invoice wanted.
    const update = { ...o, remark: '需要开发票', updated_at: T(20) };
    const parsed = parseGenericOrder(update);
    if (!parsed.ok) throw new Error('bad fixture');
    await upsertOrders(db, [{ order: parsed.order, raw: update }]);
    const now = new Date();
    const s = settings();
    const r = await processOrder({ pool: db, rules: s.rules, locale: s.locale, clock: { now: () => now }, inventory: { ...s.inventory, enabled: true } }, before.id);
    if (r.status !== 'processed') throw new Error(r.status);
    const after = await exceptionsOf(before.id);
    const vague = after.find((e) => e.type === 'vague_address')!;
    const invoice = after.find((e) => e.type === 'remark_invoice')!;
    // The quiet vague-address exception surfaces (same row, new version, fresh SLA); a new one opens; urgency resolves.
    expect(vague).toMatchObject({ id: old.find((e) => e.type === 'vague_address').id, status: 'open', quiet: false, version: 2 });
    expect(vague.claim_due_at.getTime()).toBeGreaterThanOrEqual(now.getTime());
    expect(invoice).toMatchObject({ status: 'open', quiet: false, version: 1 });
    expect(after.find((e) => e.type === 'remark_urgent')).toMatchObject({ status: 'resolved' });
    expect(r.opened.map((x) => x.id).sort()).toEqual([vague.id, invoice.id].sort());
    expect((await stored(o.id as string))[0]).toMatchObject({ quiet: false, processed_revision: 2, revision: 2, imported_revision: 1 });
    // The card sweeper now sees both open exceptions.
    const due = (await staleCards(db, 'slack', null, 0, 10_000)).map((d) => d.id);
    expect(due).toEqual(expect.arrayContaining([vague.id, invoice.id]));
  });

  it('--cards leaves orders in flight to normal processing (exceptions, cards), still without taking stock', async () => {
    const sku = uid('SKU');
    await db.query(`INSERT INTO skus (sku, stock) VALUES ($1, 100)`, [sku]);
    const o = troubled({ items: [{ sku, qty: 2, price: '599.00' }] });
    const d = done();
    const r = await run([o, d], '--cards');
    expect(r.out).toContain('1 order(s) left for the bot to process');
    const [so] = await stored(o.id as string);
    expect(so).toMatchObject({ processed_revision: 0, revision: 1, quiet: false, tags: [], review_status: 'pending' });
    expect(await exceptionsOf(so.id)).toEqual([]);
    expect((await stored(d.id as string))[0]).toMatchObject({ processed_revision: 1, quiet: true });

    const requeued: { id: number; revision: number }[] = [];
    await sweepUnprocessed(db, { enqueue: async (refs) => void requeued.push(...refs) }, { graceSeconds: 0, limit: 10_000 });
    expect(requeued).toContainEqual({ id: so.id, revision: 1 });
    const s = settings();
    const p = await processOrder({ pool: db, rules: s.rules, locale: s.locale, clock: { now: () => new Date() }, inventory: { ...s.inventory, enabled: true } }, so.id);
    if (p.status !== 'processed') throw new Error(p.status);
    expect(p.opened).toHaveLength(2);
    expect((await exceptionsOf(so.id)).map((e) => [e.type, e.quiet])).toEqual([['remark_urgent', false], ['vague_address', false]]);
    expect((await stored(o.id as string))[0]).toMatchObject({ tags: ['urgent'], processed_revision: 1 });
    expect((await db.query(`SELECT stock, reserved FROM skus WHERE sku = $1`, [sku])).rows).toEqual([{ stock: 100, reserved: 0 }]);
  });

  it('an order the bot already knew from a webhook is updated like a webhook would, and left to processing', async () => {
    const live = genericOrder({ updated_at: T(8) });
    const parsed = parseGenericOrder(live);
    if (!parsed.ok) throw new Error('bad fixture');
    await upsertOrders(db, [{ order: parsed.order, raw: live }]);
    const [w] = await stored(live.id as string);
    const r = await run([{ ...live, status: 'cancelled', updated_at: T(9) }]);
    expect(r.out).toContain('0 new, 1 updated');
    expect(r.out).toContain('1 order(s) left for the bot to process');
    expect((await stored(live.id as string))[0]).toMatchObject({ status: 'cancelled', revision: 2, processed_revision: w.processed_revision, quiet: false, imported_revision: 2 });
    expect((await historyOf(w.id)).map((h) => [h.to_status, h.source])).toEqual([['paid', 'webhook'], ['cancelled', 'import']]);
  });

  it('judges stock against a snapshot of the master record, for orders not shipped yet, and reserves nothing', async () => {
    const sku = uid('SKU');
    await db.query(`INSERT INTO skus (sku, stock) VALUES ($1, 1)`, [sku]);
    const items = [{ sku, qty: 3, price: '599.00' }];
    const waiting = genericOrder({ items, total: '1797.00', paid: '1797.00' });
    const shipped = genericOrder({ items, total: '1797.00', paid: '1797.00', stage: 'shipped' });
    await run([waiting, shipped]);
    const [w] = await stored(waiting.id as string);
    expect((await exceptionsOf(w.id)).map((e) => [e.type, e.quiet])).toEqual([['stock_out', true]]);
    const [sh] = await stored(shipped.id as string);
    expect(sh).toMatchObject({ review_status: 'auto_approved', stage: 'shipped' });
    expect(await exceptionsOf(sh.id)).toEqual([]);
    expect((await db.query(`SELECT stock, reserved FROM skus WHERE sku = $1`, [sku])).rows).toEqual([{ stock: 1, reserved: 0 }]);
  });

  it('historical orders stay out of the SLA sweep and the backlog alerts', async () => {
    const o = troubled();
    await run([o]);
    const [so] = await stored(o.id as string);
    const ids = (await exceptionsOf(so.id)).map((e) => e.id);
    expect(ids).toHaveLength(2);
    const later = new Date(Date.now() + 24 * 3600_000);
    const planned: number[] = [];
    const queue = { add: async (_name: string, data: { exceptionId?: number }) => void (data.exceptionId !== undefined && planned.push(data.exceptionId)) };
    await sweepSla({ pool: db, policy: settings().escalation, queues: { sla: queue, notify: queue } as never, clock: { now: () => later } });
    expect(planned.filter((id) => ids.includes(id))).toEqual([]);

    const s = settings();
    await checkBacklog({ pool: db, clock: { now: () => later }, backlog: { ...s.backlog, perShop: false } });
    const idle = await db.query(
      `SELECT count(*) FILTER (WHERE NOT quiet)::int AS live, count(*)::int AS all FROM orders
       WHERE stage = 'pending' AND status NOT IN ('cancelled', 'refunded', 'closed')`,
    );
    const alert = await db.query(`SELECT idle_count FROM backlog_alerts WHERE stage = 'pending' AND status = 'open'`);
    expect(idle.rows[0].all).toBeGreaterThan(idle.rows[0].live);
    expect(alert.rows.map((r) => r.idle_count)).toEqual(idle.rows[0].live > 0 ? [idle.rows[0].live] : []);
  });

  it('says what is wrong with the command itself', async () => {
    const usage = async (args: string[]) => {
      const err: string[] = [];
      const code = await importCommand(args, env(), { out: () => undefined, err: (l) => err.push(l), progress: false });
      return { code, err: err.join('\n') };
    };
    expect(await usage(['orders'])).toMatchObject({ code: 2, err: expect.stringContaining('orderops import orders <file.jsonl>') });
    expect(await usage(['orders', '/no/such/file.jsonl'])).toMatchObject({ code: 2, err: expect.stringContaining('cannot read /no/such/file.jsonl') });
    expect(await usage(['orders', dir])).toMatchObject({ code: 2, err: expect.stringContaining('directory') });
    expect(await usage(['orders', 'x.jsonl', '--chunk', '0'])).toMatchObject({ code: 2, err: expect.stringContaining('--chunk must be') });
    expect(await usage(['bogus'])).toMatchObject({ code: 2, err: expect.stringContaining('orderops import orders') });
  });
});
