import pg from 'pg';
import pino from 'pino';
import { runEscalation, type EscalationEngineDeps } from '../../src/actions/escalation';
import { performExceptionAction } from '../../src/actions/exception-actions';
import { checkHandoffs } from '../../src/actions/shift-handoff';
import { enqueueCard } from '../../src/jobs/card-jobs';
import { recomputeDueTimes } from '../../src/actions/recompute-due';
import { buildCalendar } from '../../src/domain/calendar';
import { fixedClock } from '../../src/domain/ports';
import { writeConfig } from '../helpers/config-file';
import { apiGet, eventually, genericOrder, postOrders, startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Issue 20, points 3 and 4 end to end: a business-clock route over 国庆, due times in the read API,
 * level 1 to the person on call only, a critical exception paged off shift, a non-critical one held
 * for the shift, and due times recomputed when the calendar changes.
 */
const CONFIG = `
timezone: Asia/Shanghai
teams:
  finance: { name: 财务组 }
  warehouse: { name: 仓储组 }
  review: { name: 审核组 }
  service:
    name: 客服组
    hours: { weekdays: ["09:00-18:00", "18:00-23:00"] }
    oncall: { rotation: daily, people: [oncall1, oncall2], handoff: "09:00", start: 2026-09-28 }
staff:
  - { id: sup1, name: 主管一, role: supervisor, team: service }
  - { id: sup2, name: 主管二, role: supervisor, team: service }
  - { id: oncall1, name: 值班一, role: agent, team: service }
  - { id: oncall2, name: 值班二, role: agent, team: service }
  - { id: day1, name: 白班甲, role: agent, team: service, hours: { weekdays: "09:00-18:00" } }
  - { id: eve1, name: 晚班乙, role: agent, team: service, hours: { weekdays: "18:00-23:00" } }
  - { id: boss, name: 经理, role: manager }
rules:
  routes:
    vague_address: { team: service, clock: business, claim_minutes: 30, resolve_minutes: 60 }
    remark_urgent: { team: service, severity: critical }
    remark_forward: { team: service, severity: warning }
`;

// 23:50 on the eve of 国庆 2026 (a Wednesday): the service team (09:00–18:00) is off shift until 10-08 09:00.
const EVE = '2026-09-30T23:50:00+08:00';
const clock = fixedClock(EVE);
let app: TestApp;
let db: pg.Pool;

beforeAll(async () => {
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
  app = await startTestApp({ ORDEROPS_CONFIG: writeConfig(CONFIG), ORDEROPS_LOCAL_CHANNEL: '1' }, { clock });
});
afterAll(async () => {
  await app.close();
  await db.end();
});

const engine = (): EscalationEngineDeps => ({
  pool: app.pool, clock, policy: app.config.settings.escalation, timezone: 'Asia/Shanghai', chats: app.chats,
  logger: pino({ level: 'silent' }), calendar: buildCalendar(app.config.settings.calendar),
});

async function exceptionOf(externalId: string, type: string) {
  return eventually(async () => (await db.query(
    `SELECT e.* FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1 AND e.type = $2`, [externalId, type],
  )).rows[0], 10_000, `the ${type} exception`);
}
const notificationsOf = async (id: number) =>
  (await db.query('SELECT kind, channel, recipient, status, detail, payload FROM notifications WHERE exception_id = $1 ORDER BY id', [id])).rows;

const vague = () => genericOrder({ address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' } });

describe('a business-clock route over 国庆', () => {
  let first: Record<string, unknown>;
  let second: Record<string, unknown>;
  beforeAll(async () => {
    clock.set(EVE);
    first = vague();
    second = vague();
    expect((await postOrders(app.url, [first, second])).status).toBe(200);
  });

  it('an exception raised 23:50 on the eve is due 30 working minutes after the first working moment after the holiday', async () => {
    const e = await exceptionOf(first.id as string, 'vague_address');
    expect(e.sla_clock).toBe('business');
    expect(e.claim_due_at.toISOString()).toBe(new Date('2026-10-08T09:30:00+08:00').toISOString());
    expect(e.resolve_due_at.toISOString()).toBe(new Date('2026-10-08T10:00:00+08:00').toISOString());
    // The SLA timer is planned for that instant, not 00:20 on 国庆.
    await eventually(async () => (await db.query('SELECT next_escalation_at FROM exceptions WHERE id = $1', [e.id])).rows[0]?.next_escalation_at?.toISOString() === e.claim_due_at.toISOString() || undefined, 10_000, 'the timer');
  });

  it('the read API shows claim_due_at and resolve_due_at as ISO instants', async () => {
    const one = await apiGet(app.url, `/api/orders/generic/${first.id as string}`);
    expect(one.status).toBe(200);
    expect(one.json.exceptions[0]).toMatchObject({ claim_due_at: '2026-10-08T01:30:00.000Z', resolve_due_at: '2026-10-08T02:00:00.000Z', sla_clock: 'business' });
    const list = await apiGet(app.url, '/api/exceptions?status=open&team=service');
    const row = list.json.exceptions.find((x: { order_external_id: string }) => x.order_external_id === first.id);
    expect(row).toMatchObject({ claim_due_at: '2026-10-08T01:30:00.000Z', resolve_due_at: '2026-10-08T02:00:00.000Z' });
  });

  it('with a roster, level 1 goes to the person on call only (not every supervisor)', async () => {
    const e = await exceptionOf(first.id as string, 'vague_address');
    clock.set('2026-10-08T09:31:00+08:00');
    const run = await runEscalation(engine(), e.id, 'l1-0');
    expect(run.status).toBe('fired');
    const ns = await notificationsOf(e.id);
    // 10-08 is day 10 of the rotation from 09-28: oncall1.
    expect(ns.map((n) => `${n.kind}/${n.channel}/${n.recipient ?? '-'}`)).toEqual(['sla_level1/card_mention/-', 'sla_level1/local_chat_dm/oncall1']);
    expect(ns[0].payload.recipients).toEqual(['oncall1']);
    expect(ns.some((n) => n.recipient === 'sup1' || n.recipient === 'sup2')).toBe(false);
  });

  it('due times follow a calendar change (the team works 10-07 after all)', async () => {
    const e = await exceptionOf(second.id as string, 'vague_address');
    const s = app.config.settings.calendar;
    const changed = buildCalendar({ ...s, teams: { ...s.teams, service: { ...s.teams.service!, extraWorkdays: ['2026-10-07'] } } });
    const moved = await recomputeDueTimes({ pool: app.pool, clock, calendar: changed });
    expect(moved).toContainEqual({ id: e.id, version: e.version + 1 });
    const after = (await db.query('SELECT claim_due_at, resolve_due_at, version FROM exceptions WHERE id = $1', [e.id])).rows[0];
    expect(after.claim_due_at.toISOString()).toBe(new Date('2026-10-07T09:30:00+08:00').toISOString());
    expect(after.resolve_due_at.toISOString()).toBe(new Date('2026-10-07T10:00:00+08:00').toISOString());
    const audit = (await db.query(`SELECT action FROM audit_log WHERE entity = 'exception' AND entity_id = $1 AND action = 'exception.sla_recomputed'`, [e.id])).rows;
    expect(audit).toHaveLength(1);
    // Idempotent: run again with the same calendar, nothing moves.
    expect(await recomputeDueTimes({ pool: app.pool, clock, calendar: changed })).not.toContainEqual(expect.objectContaining({ id: e.id }));
  });
});

describe('/readyz', () => {
  it('stays ready but says loudly that the next year (2027) has no holiday data', async () => {
    clock.set(EVE);
    const res = await fetch(`${app.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, calendar: { ok: false, years_without_data: [2027], warning: expect.stringContaining('2027') } });
  });
});

describe('outside every shift', () => {
  it('a new critical exception pages the person on call at once', async () => {
    clock.set(EVE);
    const order = genericOrder({ remark: '急，今天必须发' });
    await postOrders(app.url, order);
    const e = await exceptionOf(order.id as string, 'remark_urgent');
    expect(e.severity).toBe('critical');
    const ns = await eventually(async () => {
      const rows = await notificationsOf(e.id);
      return rows.some((n) => n.kind === 'offshift_page' && n.status === 'sent') ? rows : undefined;
    }, 10_000, 'the page');
    // The duty day 09-30 09:00 → 10-01 09:00 is day 2 of the rotation: oncall1. Nobody else.
    expect(ns.filter((n) => n.kind === 'offshift_page').map((n) => `${n.channel}/${n.recipient}/${n.status}`)).toEqual(['local_chat_dm/oncall1/sent']);
    const dm = await eventually(async () => (await db.query(`SELECT notice FROM local_messages WHERE staff_id = 'oncall1' AND kind = 'direct' AND notice::text LIKE $1`, [`%${order.id as string}%`])).rows[0], 5000, 'the DM');
    expect(dm.notice.key).toBe('calendar.page.dm');
  });

  it('a non-critical escalation waits for the shift: recorded, not sent, for the shift-start summary', async () => {
    clock.set(EVE);
    const order = genericOrder({ remark: '请帮忙转寄给朋友' });
    await postOrders(app.url, order);
    const e = await exceptionOf(order.id as string, 'remark_forward');
    expect(e.sla_clock).toBe('wall');
    clock.set('2026-10-01T00:21:00+08:00');
    expect((await runEscalation(engine(), e.id, 'l1-0')).status).toBe('fired');
    const ns = await notificationsOf(e.id);
    expect(ns.filter((n) => n.kind !== 'offshift_page').map((n) => `${n.channel}/${n.recipient ?? '-'}/${n.status}`)).toEqual([
      'card_mention/-/skipped', 'local_chat_dm/oncall1/skipped',
    ]);
    expect(ns[0].detail).toContain('held off shift until 2026-10-08T01:00:00.000Z');
    // Nothing was paged for it either (not critical).
    expect(ns.some((n) => n.kind === 'offshift_page')).toBe(false);
  });
});

describe('/orderops oncall (the local command box; Slack and Feishu dispatch to the same command)', () => {
  const command = async (text: string) => (await (await fetch(`${app.url}/local/command`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ staff: 'sup1', text }),
  })).json()) as { ok: boolean; html: string };

  it('names the person on call now and next, and when the team is next on shift', async () => {
    clock.set('2026-10-01T10:00:00+08:00'); // 国庆: the duty day 10-01 09:00 → 10-02 09:00 is day 3: oncall2
    const zh = await command('值班');
    expect(zh.ok).toBe(true);
    expect(zh.html).toContain('客服组：不在班，下一班 10-08 周四 09:00；当前值班 值班二，至 周五 09:00；下一位 值班一，周五 09:00 起');
    expect(zh.html).toContain('仓储组：未设置工作时间（全天在岗）；未配置值班表');
    const one = await command('oncall service');
    expect(one.html).toContain('客服组');
    expect(one.html).not.toContain('仓储组');
  });
});

describe('shift handoff', () => {
  it('at the evening shift start the card lists the open work and offers the day shift\'s claim to the incoming shift', async () => {
    clock.set('2026-10-09T17:00:00+08:00'); // Friday
    const [mine, theirs, open] = [vague(), vague(), vague()];
    await postOrders(app.url, [mine, theirs, open]);
    const a = await exceptionOf(mine.id as string, 'vague_address');
    const b = await exceptionOf(theirs.id as string, 'vague_address');
    const c = await exceptionOf(open.id as string, 'vague_address');
    expect((await performExceptionAction(app.actions, { action: 'exception.claim', exceptionId: a.id, version: a.version, user: { platform: 'local', userId: 'day1' }, via: 'local' })).ok).toBe(true);
    expect((await performExceptionAction(app.actions, { action: 'exception.claim', exceptionId: b.id, version: b.version, user: { platform: 'local', userId: 'eve1' }, via: 'local' })).ok).toBe(true);

    clock.set('2026-10-09T18:00:20+08:00');
    const names: Record<string, string> = Object.fromEntries(app.config.settings.staff.map((m) => [m.id, m.name]));
    await checkHandoffs({
      pool: app.pool, clock, calendar: buildCalendar(app.config.settings.calendar), teams: ['service'], staffName: (id) => names[id] ?? id,
      cardChanged: (key, version) => enqueueCard(app.cardQueues, key, version),
    });
    const h = (await db.query(`SELECT * FROM shift_handoffs WHERE team = 'service' AND shift_start = $1`, [new Date('2026-10-09T18:00:00+08:00')])).rows[0];
    expect(h).toBeDefined();
    const claimed = h.snapshot.claimed as { exceptionId: number; owner: string; needsNewOwner: boolean }[];
    // 白班甲 works 09:00–18:00: off the incoming shift, so the claim needs a new owner; 晚班乙's does not.
    expect(claimed.find((x) => x.exceptionId === a.id)).toMatchObject({ owner: '白班甲', needsNewOwner: true });
    expect(claimed.find((x) => x.exceptionId === b.id)).toMatchObject({ owner: '晚班乙', needsNewOwner: false });
    expect(h.snapshot.unclaimed.map((x: { exceptionId: number }) => x.exceptionId)).toContain(c.id);
    expect(h.snapshot.onCall).toBe('值班二'); // 10-09 is day 11 of the rotation

    // The card reaches the team's channel (here the local channel), with its one button.
    const card = await eventually(async () => (await db.query(`SELECT card FROM local_cards WHERE card_key = $1`, [`handoff:${h.id}`])).rows[0]?.card, 10_000, 'the handoff card');
    expect(card).toMatchObject({ kind: 'handoff', status: 'open', team: '客服组' });

    const offer = async (staff: string, version: number) => (await fetch(`${app.url}/local/handoff-actions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'handoff.offer', requestId: h.id, version, staff }),
    }));
    const res = await offer('eve1', 1);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, offered: 1 });
    const after = (await db.query('SELECT status, assignee, claim_due_at FROM exceptions WHERE id = $1', [a.id])).rows[0];
    // Back in the queue, with a fresh 30-minute claim clock in working time from the offer.
    expect(after).toMatchObject({ status: 'open', assignee: null });
    expect(after.claim_due_at.toISOString()).toBe(new Date('2026-10-09T18:30:20+08:00').toISOString());
    expect((await db.query('SELECT assignee FROM exceptions WHERE id = $1', [b.id])).rows[0].assignee).toBe('eve1');
    const audit = (await db.query(`SELECT actor FROM audit_log WHERE entity = 'exception' AND entity_id = $1 AND action = 'exception.offered_to_shift'`, [a.id])).rows;
    expect(audit).toEqual([{ actor: 'eve1' }]);
    // Once per card: a second press is stale; the card says who offered.
    expect((await offer('eve1', 1)).status).toBe(409);
    const updated = await eventually(async () => {
      const r = (await db.query(`SELECT card FROM local_cards WHERE card_key = $1`, [`handoff:${h.id}`])).rows[0]?.card;
      return r?.status === 'offered' ? r : undefined;
    }, 10_000, 'the updated card');
    expect(updated.offered).toMatchObject({ by: '晚班乙', count: 1 });
    // Someone not on the staff list cannot.
    expect((await offer('nobody', 2)).status).toBe(403);
  });
});
