import pg from 'pg';
import { eventually, genericOrder, postOrders, uid, type TestApp } from '../helpers/test-app';
import { appMention, blockAction, CHANNELS, exceptionOf, FORM, formBody, interaction, postSlack, slashCommand, STAFF, useSlackTestBed } from '../helpers/slack';
import type { FakeSlackApi } from '../helpers/slack-fake-api';
import { urlVerification } from '../helpers/slack-fixtures';

const bed = useSlackTestBed();
let app: TestApp;
let db: pg.Pool;
let slack: FakeSlackApi;
beforeAll(() => ({ app, db, slack } = bed));

const agent = STAFF.agents[0]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function postedCard(overrides: Record<string, unknown> = { remark: '急' }) {
  const order = genericOrder({ id: uid('SI'), ...overrides });
  expect((await postOrders(app.url, order)).status).toBe(200);
  const ex = await exceptionOf(db, order.id as string);
  const post = await eventually(async () => slack.cardPosts(ex.id)[0], 15_000, 'the card post');
  return { order, ex, channel: post.body.channel as string, ts: post.response.ts as string };
}

const state = async (id: number) => (await db.query('SELECT status, assignee, version FROM exceptions WHERE id = $1', [id])).rows[0];

describe('Slack requests: signatures', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    ['a timestamp 6 minutes old', { timestamp: now() - 360 }],
    ['a timestamp 6 minutes in the future', { timestamp: now() + 360 }],
    ['a signature made with another secret', { secret: 'not-the-signing-secret' }],
    ['a signature of another body', { signature: `v0=${'0'.repeat(64)}` }],
    ['a malformed signature', { signature: 'v1=abc' }],
    ['no signature at all', { signature: null }],
  ])('refuses %s with 401 and changes nothing', async (_label, opts) => {
    const { ex, channel, ts } = await postedCard();
    const before = await state(ex.id);
    const res = await interaction(app.url, blockAction({ userId: agent.slack, channel, messageTs: ts, actionId: 'exception.claim', value: `${ex.id}:${ex.version}` }), opts);
    expect(res.status).toBe(401);
    expect(res.json.error).toMatch(/^orderops_signature_(invalid|missing)$/);
    await sleep(300);
    expect(await state(ex.id)).toEqual(before);
    expect(slack.ephemeralsTo(agent.slack).filter((c) => String(c.body.text).includes(ex.id.toString()))).toEqual([]);
    expect(slack.cardUpdates(ex.id)).toEqual([]);
    const audit = await db.query(`SELECT 1 FROM audit_log WHERE entity = 'exception' AND entity_id = $1 AND source = 'slack'`, [ex.id]);
    expect(audit.rowCount).toBe(0);
  });

  it('accepts a timestamp a little in the past or future (clock skew within 5 minutes)', async () => {
    for (const skew of [-240, 240]) {
      const res = await postSlack(app.url, JSON.stringify(urlVerification), 'application/json', { timestamp: now() + skew });
      expect(res.status).toBe(200);
    }
  });

  it('answers url_verification with the challenge, only when signed', async () => {
    const raw = JSON.stringify(urlVerification);
    const res = await postSlack(app.url, raw, 'application/json');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ challenge: urlVerification.challenge });
    expect((await postSlack(app.url, raw, 'application/json', { signature: null })).status).toBe(401);
  });

  it('answers ssl_check with an empty 200', async () => {
    const res = await postSlack(app.url, formBody({ ssl_check: '1', token: 'x' }), FORM, { signature: null });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
  });

  it('answers a signed but malformed body with 400', async () => {
    expect((await postSlack(app.url, formBody({ payload: '{not json' }), FORM)).status).toBe(400);
    expect((await postSlack(app.url, '[1,2]', 'application/json')).status).toBe(400);
    expect((await postSlack(app.url, 'hello', 'text/plain')).status).toBe(400);
  });
});

describe('Slack requests: only this app and workspace', () => {
  it('learned the app and workspace from auth.test once, at start', () => {
    expect(slack.of('auth.test')).toHaveLength(1);
  });

  it.each([
    ['another app (api_app_id)', (b: any) => ({ ...b, api_app_id: 'A999' })],
    ['another workspace (team)', (b: any) => ({ ...b, team: { id: 'T999' }, user: { ...b.user, team_id: 'T999' } })],
    ['no app id at all', (b: any) => ({ ...b, api_app_id: undefined })],
  ])('refuses a correctly signed click from %s with 403 and changes nothing', async (_label, change) => {
    const { ex, channel, ts } = await postedCard();
    const before = await state(ex.id);
    const body = change(blockAction({ userId: agent.slack, channel, messageTs: ts, actionId: 'exception.claim', value: `${ex.id}:${ex.version}` }));
    const res = await interaction(app.url, body);
    expect(res.status).toBe(403);
    expect(res.json.error).toBe('orderops_forbidden');
    await sleep(300);
    expect(await state(ex.id)).toEqual(before);
    const audit = await db.query(`SELECT 1 FROM audit_log WHERE entity = 'exception' AND entity_id = $1 AND source = 'slack'`, [ex.id]);
    expect(audit.rowCount).toBe(0);
  });

  it('refuses a slash command from another workspace before any lookup', async () => {
    const { order } = await postedCard();
    const raw = slashCommand({ userId: agent.slack, text: order.id as string }).replace('team_id=T111', 'team_id=T999');
    const res = await postSlack(app.url, raw, FORM);
    expect(res.status).toBe(403);
    const audit = await db.query(`SELECT 1 FROM audit_log a JOIN orders o ON o.id = a.entity_id WHERE a.action = 'order.lookup' AND o.external_id = $1`, [order.id]);
    expect(audit.rowCount).toBe(0);
  });
});

describe('Slack requests: repeated deliveries', () => {
  it('an event redelivered with X-Slack-Retry-Num has no second side effect', async () => {
    const { order } = await postedCard();
    const eventId = `Ev${uid('').replace(/-/g, '').slice(0, 12).toUpperCase()}`;
    const user = STAFF.agents[1]!.slack;
    const raw = appMention({ eventId, userId: user, text: `<@U0BOT> order ${order.id}` });
    const first = await postSlack(app.url, raw, 'application/json');
    expect(first.status).toBe(200);
    await eventually(async () => slack.ephemeralsTo(user).find((c) => String(c.body.text).includes(order.id as string)), 10_000, 'the answer');
    const again = await postSlack(app.url, raw, 'application/json', { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(again.status).toBe(200);
    await sleep(500);
    expect(slack.ephemeralsTo(user).filter((c) => String(c.body.text).includes(order.id as string))).toHaveLength(1);
    const rows = await db.query(`SELECT delivery_id FROM chat_deliveries WHERE platform = 'slack' AND delivery_id = $1`, [`event:${eventId}`]);
    expect(rows.rowCount).toBe(1);
  });

  it('the same click delivered twice acts once', async () => {
    const { ex, channel, ts } = await postedCard();
    const user = STAFF.agents[2]!;
    const body = blockAction({ userId: user.slack, channel, messageTs: ts, actionId: 'exception.claim', value: `${ex.id}:${ex.version}` });
    const [a, b] = await Promise.all([interaction(app.url, body), interaction(app.url, body)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await eventually(async () => slack.ephemeralsTo(user.slack).find((c) => String(c.body.text).includes('You claimed')), 10_000, 'the claim notice');
    await sleep(300);
    expect(slack.ephemeralsTo(user.slack).filter((c) => String(c.body.text).includes('already claimed'))).toEqual([]);
    expect(await state(ex.id)).toMatchObject({ status: 'claimed', assignee: user.id, version: ex.version + 1 });
  });
});

describe('Slack: /orderops', () => {
  const run = (text: string, userId: string = agent.slack) => postSlack(app.url, slashCommand({ userId, text, command: '/orderops' }), FORM);

  it('answers help privately with the command list, an unknown word with the list, and a non-staff user with a denial', async () => {
    const help = await run('help');
    expect(help.status).toBe(200);
    expect(help.json.response_type).toBe('ephemeral');
    expect(help.json.text).toContain('orderops commands:');
    const unknown = await run('<!channel> frobnicate');
    expect(unknown.json.text).toContain('Unknown command "&lt;!channel&gt;"');
    const stranger = await run('help', 'U0NOTSTAFF');
    expect(stranger.json.text).toContain('Only staff listed in orderops.yml');
  });

  it('/orderops oncall answers who is on duty per team, privately (issue 20)', async () => {
    const res = await run('oncall');
    expect(res.json.response_type).toBe('ephemeral');
    expect(res.json.text).toContain('On duty:');
    expect(res.json.text).toContain('no on-call roster: escalations go to the supervisors');
    expect((await run('oncall nosuchteam')).json.text).toContain('No team "nosuchteam"');
  });
});

describe('Slack: /order', () => {
  const order = (text: string, userId = agent.slack) => postSlack(app.url, slashCommand({ userId, text }), FORM);

  it('by order id: a private answer with status, stage and exceptions', async () => {
    const { order: o } = await postedCard();
    const res = await order(o.id as string);
    expect(res.status).toBe(200);
    expect(res.json.response_type).toBe('ephemeral');
    expect(res.json.text).toContain(`Order ${o.id}`);
    expect(res.json.text).toContain('status paid');
    expect(res.json.text).toContain('Remark: urgent');
  });

  it('by the last 4 digits of the phone', async () => {
    const digits = String(1000 + Math.floor(Math.random() * 8000)).replace('5678', '5679');
    const { order: o } = await postedCard({ remark: '急', buyer: { name: '赵六', phone: `1391234${digits}` } });
    const res = await order(digits);
    expect(res.json.response_type).toBe('ephemeral');
    expect(res.json.text).toContain(o.id as string);
    expect(res.json.text).not.toContain(`1391234${digits}`);
  });

  it('answers someone not in staff with a short denial, shows nothing, and audits who asked what', async () => {
    const { order: o } = await postedCard();
    const res = await order(o.id as string, 'U0NOTSTAFF');
    expect(res.status).toBe(200);
    expect(res.json.response_type).toBe('ephemeral');
    expect(res.json.text).toContain('Order lookups are for staff');
    expect(res.json.text).not.toContain(o.id as string);
    const denied = await db.query(`SELECT details->>'query' AS query FROM audit_log WHERE action = 'order.lookup_denied' AND actor = 'slack:U0NOTSTAFF'`);
    expect(denied.rows.map((r) => r.query)).toContain(o.id);
  });

  it('records every lookup in the audit trail: who, what, which order', async () => {
    const { order: o } = await postedCard();
    await order(o.id as string);
    const rows = await db.query(
      `SELECT a.actor, a.source, a.details->>'query' AS query, a.details->>'by' AS by FROM audit_log a JOIN orders x ON x.id = a.entity_id
        WHERE a.entity = 'order' AND a.action = 'order.lookup' AND x.external_id = $1`, [o.id]);
    expect(rows.rows).toEqual([{ actor: `staff:${agent.id}`, source: 'slack', query: o.id, by: 'order_id' }]);
  });

  it('an unknown id gets a friendly answer', async () => {
    const res = await order('NO-SUCH-ORDER-42');
    expect(res.status).toBe(200);
    expect(res.json.text).toContain('No order matches "NO-SUCH-ORDER-42"');
  });

  it('no text gets the usage', async () => {
    const res = await order('   ');
    expect(res.json.text).toContain('Usage: /order');
  });

  it.each([
    ["'; DROP TABLE orders; --"],
    ['<!channel> <@U123> <https://evil.example|click>'],
    ['%_%'],
    ['x'.repeat(5000)],
  ])('hostile text %#: a friendly miss, escaped, and nothing harmed', async (text) => {
    const res = await order(text);
    expect(res.status).toBe(200);
    expect(res.json.response_type).toBe('ephemeral');
    expect(res.json.text).toContain('No order matches');
    expect(res.json.text).not.toMatch(/<[!@#]|<https?:/);
    expect(res.json.text.length).toBeLessThan(4000);
    expect((await db.query('SELECT count(*)::int AS n FROM orders')).rows[0].n).toBeGreaterThan(0);
  });

  it('an @mention with no order id answers with how to ask', async () => {
    const user = STAFF.agents[3]!.slack;
    const res = await postSlack(app.url, appMention({ eventId: `Ev${Date.now()}`, userId: user, text: '<@U0BOT>' }), 'application/json');
    expect(res.status).toBe(200);
    await eventually(async () => slack.ephemeralsTo(user).find((c) => String(c.body.text).includes('Mention me')), 10_000, 'the usage');
    expect(CHANNELS.service).toBeDefined();
  });
});
