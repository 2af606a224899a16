import nock from 'nock';
import IORedis from 'ioredis';
import { performExceptionAction } from '../../src/actions/exception-actions';
import pg from 'pg';
import { genericOrder, postOrders, startTestApp, eventually, uid, type TestApp } from '../helpers/test-app';
import { startSmtp } from '../helpers/smtp';
import { writeConfig } from '../helpers/config-file';

// SLAs shortened through config: claim in 1.5 s, resolve in 3 s.
const CONFIG = (smsWindow: string) => `
timezone: Asia/Shanghai
routes_note: ignored
`.replace('routes_note: ignored\n', '') + `
staff:
  - { id: sup, name: 主管甲, role: supervisor, team: service, email: sup@example.com }
  - { id: boss, name: 经理乙, role: manager, email: boss@example.com, phone: "+8613900000001" }
  - { id: agent, name: 客服丙, role: agent, team: service }
escalation:
  sms: { window: ${smsWindow} }
rules:
  routes:
    default: { team: service, claim_minutes: 0.025, resolve_minutes: 0.05 }
    vague_address: { team: service, claim_minutes: 0.025, resolve_minutes: 0.05 }
`;

let db: pg.Pool;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
const smsBodies: string[] = [];

beforeAll(async () => {
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
  smtp = await startSmtp();
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  nock('https://sms.test')
    .persist()
    .post(/\/2010-04-01\/Accounts\/AC123\/Messages\.json/)
    .reply(201, (_uri, body) => {
      smsBodies.push(String(body));
      return { sid: `SM${smsBodies.length}` };
    });
});
afterAll(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await smtp.close();
  await db.end();
});

const env = (configPath: string, prefix?: string) => ({
  ORDEROPS_CONFIG: configPath,
  SMTP_URL: smtp.url,
  SMS_PROVIDER: 'twilio',
  SMS_API_URL: 'https://sms.test/',
  TWILIO_ACCOUNT_SID: 'AC123',
  TWILIO_AUTH_TOKEN: 'token',
  TWILIO_FROM: '+15550001111',
  ORDEROPS_LOCAL_CHANNEL: '0',
  ...(prefix ? { ORDEROPS_QUEUE_PREFIX: prefix } : {}),
});

async function exceptionOf(externalId: string) {
  return eventually(async () => {
    const r = await db.query(
      `SELECT e.* FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1 AND e.type = 'vague_address'`,
      [externalId],
    );
    return r.rows[0];
  }, 10_000, 'the exception');
}

const notificationsOf = async (id: number) =>
  (await db.query('SELECT kind, channel, recipient, status, not_before, detail FROM notifications WHERE exception_id = $1 ORDER BY id', [id])).rows;

const vagueOrder = () => genericOrder({ address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' } });

describe('SLA escalation (all hours open for SMS)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(env(writeConfig(CONFIG('null'))));
  });
  afterAll(() => app.close());

  it('fires level 1 then level 2 once each, never early, with email and SMS to the manager', async () => {
    const order = vagueOrder();
    await postOrders(app.url, order);
    const ex = await exceptionOf(order.id as string);

    const l2 = await eventually(async () => {
      const r = await db.query('SELECT * FROM exceptions WHERE id = $1 AND level2_sent = 1', [ex.id]);
      return r.rows[0];
    }, 15_000, 'level 2');
    expect(l2).toMatchObject({ level1_sent: 1, level2_sent: 1, escalation_level: 2, status: 'escalated' });

    const audits = (await db.query(`SELECT action, details, at FROM audit_log WHERE entity = 'exception' AND entity_id = $1 AND action LIKE 'exception.sla_%' ORDER BY id`, [ex.id])).rows;
    expect(audits.map((a) => a.action)).toEqual(['exception.sla_level1', 'exception.sla_level2']);
    // Never early: each fired at or after its due time.
    expect(audits[0].details.late_ms).toBeGreaterThanOrEqual(0);
    expect(audits[1].details.late_ms).toBeGreaterThanOrEqual(0);
    expect(new Date(audits[0].at).getTime()).toBeGreaterThanOrEqual(new Date(ex.claim_due_at).getTime());
    expect(new Date(audits[1].at).getTime()).toBeGreaterThanOrEqual(new Date(ex.resolve_due_at).getTime());

    const sent = await eventually(async () => {
      const n = await notificationsOf(ex.id);
      return n.filter((x) => x.status === 'pending').length === 0 && n.some((x) => x.channel === 'sms') ? n : undefined;
    }, 15_000, 'deliveries');
    expect(sent.map((n) => `${n.kind}/${n.channel}/${n.recipient ?? '-'}/${n.status}`)).toEqual([
      'sla_level1/card_mention/-/skipped',
      'sla_level2/email/boss/sent',
      'sla_level2/sms/boss/sent',
    ]);
    const mail = await eventually(async () => smtp.mails.find((m) => m.raw.includes(`X-Orderops-Order: ${order.id}`)), 5000, 'the email');
    expect(mail.to).toEqual(['boss@example.com']);
    expect(mail.raw).toMatch(/Subject: =\?UTF-8\?|Subject: \[orderops\]/);
    const sms = smsBodies.find((b) => decodeURIComponent(b).includes(order.id as string));
    expect(sms).toBeDefined();
    expect(new URLSearchParams(sms!).get('To')).toBe('+8613900000001');

    // Nothing fires twice: a while later the counts are unchanged.
    await new Promise((r) => setTimeout(r, 1500));
    const again = (await db.query('SELECT level1_sent, level2_sent FROM exceptions WHERE id = $1', [ex.id])).rows[0];
    expect(again).toEqual({ level1_sent: 1, level2_sent: 1 });
    expect(smtp.mails.filter((m) => m.raw.includes(`X-Orderops-Order: ${order.id}`))).toHaveLength(1);
  }, 30_000);

  it('a claim before the claim deadline cancels level 1; a resolve cancels level 2', async () => {
    const order = vagueOrder();
    await postOrders(app.url, order);
    const ex = await exceptionOf(order.id as string);
    const claim = await performExceptionAction(app.actions, { action: 'exception.claim', exceptionId: ex.id, version: ex.version, user: { platform: 'local', userId: 'agent' }, via: 'api' });
    expect(claim.ok).toBe(true);
    const resolve = await performExceptionAction(app.actions, { action: 'exception.resolve', exceptionId: ex.id, version: ex.version + 1, user: { platform: 'local', userId: 'agent' }, via: 'api' });
    expect(resolve.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 4000)); // past both deadlines
    const row = (await db.query('SELECT status, level1_sent, level2_sent, next_escalation_at FROM exceptions WHERE id = $1', [ex.id])).rows[0];
    expect(row).toEqual({ status: 'resolved', level1_sent: 0, level2_sent: 0, next_escalation_at: null });
    expect(await notificationsOf(ex.id)).toEqual([]);
  }, 20_000);
});

describe('SMS quiet hours', () => {
  it('holds the SMS until the window opens while email goes at once', async () => {
    // A one-minute window 12 hours away from now, in Shanghai time.
    const hour = (new Date().getUTCHours() + 8 + 12) % 24;
    const pad = (n: number) => String(n).padStart(2, '0');
    const app = await startTestApp(env(writeConfig(CONFIG(`{ from: "${pad(hour)}:00", to: "${pad(hour)}:01" }`))));
    try {
      const order = vagueOrder();
      await postOrders(app.url, order);
      const ex = await exceptionOf(order.id as string);
      const n = await eventually(async () => {
        const rows = await notificationsOf(ex.id);
        const email = rows.find((x) => x.channel === 'email');
        return email?.status === 'sent' ? rows : undefined;
      }, 15_000, 'the level-2 email');
      const sms = n.find((x) => x.channel === 'sms');
      expect(sms.status).toBe('pending');
      expect(new Date(sms.not_before).getTime()).toBeGreaterThan(Date.now() + 10 * 3600_000);
      expect(smsBodies.some((b) => decodeURIComponent(b).includes(order.id as string))).toBe(false);
    } finally {
      await app.close();
    }
  }, 30_000);
});

describe('timers survive a restart', () => {
  it('fires a timer pending when the process stopped, exactly once, after restart — even if Redis lost it', async () => {
    const prefix = `test-${uid('r').slice(2, 10)}`;
    const cfg = writeConfig(CONFIG('null').replace('claim_minutes: 0.025, resolve_minutes: 0.05 }\n    vague_address: { team: service, claim_minutes: 0.025', 'claim_minutes: 0.025, resolve_minutes: 0.05 }\n    vague_address: { team: service, claim_minutes: 0.05'));
    const first = await startTestApp(env(cfg, prefix));
    const order = vagueOrder();
    await postOrders(first.url, order);
    const ex = await exceptionOf(order.id as string);
    await eventually(async () => ((await db.query('SELECT next_escalation_at FROM exceptions WHERE id = $1', [ex.id])).rows[0].next_escalation_at ? true : undefined));
    await first.close();
    // Lose every SLA trigger, as if Redis restarted without persistence: only Postgres remembers.
    const redis = new IORedis(process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379');
    const keys = await redis.keys(`${prefix}:sla:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    redis.disconnect();
    const second = await startTestApp(env(cfg, prefix));
    try {
      const fired = await eventually(async () => {
        const r = await db.query('SELECT level1_sent FROM exceptions WHERE id = $1 AND level1_sent > 0', [ex.id]);
        return r.rows[0];
      }, 20_000, 'level 1 after restart');
      expect(fired.level1_sent).toBe(1);
      await new Promise((r) => setTimeout(r, 1000));
      const audits = await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE entity_id = $1 AND action = 'exception.sla_level1'`, [ex.id]);
      expect(audits.rows[0].n).toBe(1);
    } finally {
      await second.close();
    }
  }, 40_000);
});
