import pg from 'pg';
import { apiGet, eventually, genericOrder, postOrders, startTestApp, TEST_TOKEN, type TestApp } from '../helpers/test-app';
import { writeConfig } from '../helpers/config-file';

// Ship-by timers in seconds: warn 3.6 s before the deadline the order carries.
const CONFIG = writeConfig(`
processing: { sweep_seconds: 5 }
ship_by:
  douyin: { warn_hours: 0.001, penalty_note: "抖店测试罚则" }
`);
const env = { ORDEROPS_CONFIG: CONFIG, ORDEROPS_LOCAL_CHANNEL: '0' };

let db: pg.Pool;
beforeAll(() => {
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
});
afterAll(async () => {
  await db.end();
});

const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

async function shipOverdue(externalId: string) {
  const { rows } = await db.query(
    `SELECT e.id, e.step, e.severity, e.status, e.team, e.reason, e.reason_refs FROM exceptions e JOIN orders o ON o.id = e.order_id
     WHERE o.external_id = $1 AND e.type = 'ship_overdue'`,
    [externalId],
  );
  return rows[0];
}
const auditOf = async (exceptionId: number) =>
  (await db.query("SELECT action FROM audit_log WHERE entity = 'exception' AND entity_id = $1 ORDER BY id", [exceptionId])).rows.map((r) => r.action);
const timersOf = async (externalId: string) =>
  (await db.query('SELECT t.kind, t.fired_at IS NOT NULL AS fired FROM order_timers t JOIN orders o ON o.id = t.order_id WHERE o.external_id = $1 ORDER BY kind', [externalId])).rows;
const processed = (externalId: string) => eventually(async () => {
  const { rows } = await db.query('SELECT processed_revision >= revision AS done FROM orders WHERE external_id = $1', [externalId]);
  return rows[0]?.done ? true : undefined;
}, 10_000, 'the order processed');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stage(url: string, externalId: string, body: Record<string, unknown>) {
  const res = await fetch(`${url}/api/orders/generic/${externalId}/stage`, {
    method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe('ship-by deadline (ship_overdue)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(env);
  });
  afterAll(async () => {
    await app.close();
  });

  it('warns before the deadline, then breaches at it, once each, routed to the warehouse', async () => {
    const order = genericOrder({ paid_at: new Date().toISOString(), ship_by: inSeconds(6) });
    expect((await postOrders(app.url, order)).status).toBe(200);
    await processed(order.id as string);
    expect(await shipOverdue(order.id as string)).toBeUndefined();
    const { rows } = await db.query('SELECT paid_at, ship_by_at, times_estimated FROM orders WHERE external_id = $1', [order.id]);
    expect(rows[0].ship_by_at.toISOString()).toBe(new Date(order.ship_by as string).toISOString());
    expect(rows[0].times_estimated).toEqual([]);

    const warning = await eventually(async () => (await shipOverdue(order.id as string))?.step === 'warning' ? shipOverdue(order.id as string) : undefined, 10_000, 'the warning');
    expect(warning).toMatchObject({ severity: 'warning', team: 'warehouse', status: 'open' });
    expect(warning.reason_refs[0].key).toBe('signal.reason.ship_warning');
    const breach = await eventually(async () => (await shipOverdue(order.id as string))?.step === 'breach' ? shipOverdue(order.id as string) : undefined, 10_000, 'the breach');
    expect(breach).toMatchObject({ id: warning.id, severity: 'critical' });
    await sleep(1500);
    expect(await auditOf(warning.id)).toEqual(['exception.opened', 'exception.step']);
    expect(await timersOf(order.id as string)).toEqual([{ kind: 'ship_breach', fired: true }, { kind: 'ship_warning', fired: true }]);

    // The read API shows the step, and the order's priority counts the breach.
    const api = await apiGet(app.url, `/api/orders/generic/${order.id}`);
    expect(api.json.exceptions.find((e: { type: string }) => e.type === 'ship_overdue')).toMatchObject({ step: 'breach' });
    expect(api.json.order.priority).toBeGreaterThanOrEqual(30);
  });

  it('is cancelled by shipping before the deadline (stage API), and the history keeps the event time', async () => {
    // The warning is due 8.4 s after posting: time enough to process and ship first, even on a busy machine.
    const order = genericOrder({ ship_by: inSeconds(12) });
    await postOrders(app.url, order);
    await processed(order.id as string);
    expect(await timersOf(order.id as string)).toEqual([{ kind: 'ship_breach', fired: false }, { kind: 'ship_warning', fired: false }]);
    const at = new Date(Date.now() - 60_000).toISOString().replace('Z', '+00:00');
    const r = await stage(app.url, order.id as string, { stage: 'shipped', at });
    expect(r).toMatchObject({ status: 200, json: { ok: true, result: 'updated', stage: 'shipped' } });
    await eventually(async () => ((await timersOf(order.id as string)).length === 0 ? true : undefined), 10_000, 'the timers dropped');
    await sleep(Math.max(0, Date.parse(order.ship_by as string) + 2000 - Date.now()));
    expect(await shipOverdue(order.id as string)).toBeUndefined();
    const { rows } = await db.query(
      `SELECT h.event_at, h.at, o.shipped_at FROM order_history h JOIN orders o ON o.id = h.order_id WHERE o.external_id = $1 AND h.to_stage = 'shipped'`,
      [order.id],
    );
    expect(rows[0].event_at.toISOString()).toBe(new Date(at).toISOString());
    expect(rows[0].shipped_at.toISOString()).toBe(new Date(at).toISOString());
    expect(rows[0].at.getTime()).toBeGreaterThan(rows[0].event_at.getTime());
  });

  it('is cancelled by a cancellation, and a refund request raises refund_pending instead', async () => {
    const cancelled = genericOrder({ ship_by: inSeconds(12) });
    const refunded = genericOrder({ ship_by: inSeconds(12) });
    await postOrders(app.url, [cancelled, refunded]);
    await processed(cancelled.id as string);
    await processed(refunded.id as string);
    await postOrders(app.url, [{ ...cancelled, status: 'cancelled' }, { ...refunded, refund: { status: 'requested' } }]);
    await eventually(async () => ((await timersOf(cancelled.id as string)).length + (await timersOf(refunded.id as string)).length === 0 ? true : undefined), 10_000, 'timers dropped');
    const refund = await eventually(async () => (await db.query(
      `SELECT e.type, e.team, e.severity, e.rule FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1 AND e.type = 'refund_pending'`, [refunded.id],
    )).rows[0], 10_000, 'refund_pending');
    expect(refund).toEqual({ type: 'refund_pending', team: 'warehouse', severity: 'critical', rule: 'refund_pending.hold' });
    await sleep(Math.max(0, Date.parse(cancelled.ship_by as string) + 2000 - Date.now()));
    expect(await shipOverdue(cancelled.id as string)).toBeUndefined();
    expect(await shipOverdue(refunded.id as string)).toBeUndefined();

    // The platform says the refund was withdrawn: the exception closes by itself.
    await postOrders(app.url, { ...refunded, refund: { status: 'withdrawn' } });
    await eventually(async () => (await db.query(
      `SELECT e.status FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1 AND e.type = 'refund_pending' AND e.status = 'resolved'`, [refunded.id],
    )).rows[0], 10_000, 'refund_pending resolved');
  });

  it('estimates ship-by from the channel default when the platform gives none, and marks it', async () => {
    const order = genericOrder({ paid_at: '2026-01-08T20:05:00+08:00' });
    await postOrders(app.url, order);
    await processed(order.id as string);
    const { rows } = await db.query('SELECT paid_at, ship_by_at, times_estimated FROM orders WHERE external_id = $1', [order.id]);
    expect(rows[0].ship_by_at.toISOString()).toBe('2026-01-10T12:05:00.000Z'); // 48 h after payment
    expect(rows[0].times_estimated).toEqual(['ship_by_at']);
    // Long past: a breach at once.
    expect(await eventually(() => shipOverdue(order.id as string), 10_000, 'breach')).toMatchObject({ step: 'breach', severity: 'critical' });
  });
});

describe('ship-by timers survive a restart', () => {
  it('fires the warning and the breach once each after the bot restarts with an empty queue', async () => {
    const first = await startTestApp(env);
    const order = genericOrder({ ship_by: inSeconds(7) });
    await postOrders(first.url, order);
    await processed(order.id as string);
    expect(await timersOf(order.id as string)).toHaveLength(2);
    await first.close();
    // A new queue prefix: the delayed jobs are gone, as after a Redis wipe; Postgres re-arms them.
    const second = await startTestApp(env);
    try {
      const breach = await eventually(async () => (await shipOverdue(order.id as string))?.step === 'breach' ? shipOverdue(order.id as string) : undefined, 15_000, 'the breach');
      await sleep(1500);
      expect(await auditOf(breach.id)).toEqual(['exception.opened', 'exception.step']);
    } finally {
      await second.close();
    }
  });
});
