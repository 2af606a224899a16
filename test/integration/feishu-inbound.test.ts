import pg from 'pg';
import { eventually, genericOrder, postOrders, startTestApp, type TestApp } from '../helpers/test-app';
import {
  cardClick, cardOf, feishuEnv, feishuFront, FeishuStub, FS_APP_ID, FS_BOT_OPEN_ID, FS_ENCRYPT_KEY, FS_STAFF, FS_TOKEN,
  FS_CHAT, groupMessage, ownFeishuDatabase, testPool, postFeishu,
} from '../helpers/feishu';
import { URL_VERIFICATION } from '../helpers/feishu-fixtures';

let db: pg.Pool;
let stub: FeishuStub;
let own: Awaited<ReturnType<typeof ownFeishuDatabase>>;

beforeAll(async () => {
  stub = await new FeishuStub().start();
  own = await ownFeishuDatabase();
  db = testPool(own.url);
});
afterAll(async () => {
  await db.end();
  await own.drop();
  await stub.close();
});

interface Ex {
  id: number;
  version: number;
  status: string;
  assignee: string | null;
}

async function openException(app: TestApp): Promise<Ex & { externalId: string }> {
  const order = genericOrder({ address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' } });
  expect((await postOrders(app.url, order)).status).toBe(200);
  const ex = await eventually(async () => {
    const r = await db.query<Ex>(
      `SELECT e.id::int AS id, e.version, e.status, e.assignee FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1 AND e.type = 'vague_address'`,
      [order.id],
    );
    return r.rows[0];
  }, 10_000, 'the exception');
  return { ...ex, externalId: order.id as string };
}
const current = async (id: number) => (await db.query<Ex>('SELECT id::int AS id, version, status, assignee FROM exceptions WHERE id = $1', [id])).rows[0]!;
const delivered = async (eventId: string) => (await db.query(`SELECT 1 FROM chat_deliveries WHERE platform = 'feishu' AND delivery_id = $1`, [eventId])).rowCount;
const claimValue = (ex: Ex) => ({ orderops: 'exception', action: 'exception.claim', exception_id: ex.id, version: ex.version });
const claimAudits = async (id: number) =>
  (await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE entity = 'exception' AND entity_id = $1 AND action = 'exception.claim'`, [id])).rows[0].n;

describe('with an encrypt key: signed, encrypted callbacks', () => {
  let app: TestApp;
  const enc = { encryptKey: FS_ENCRYPT_KEY, signKey: FS_ENCRYPT_KEY };
  beforeAll(async () => {
    app = await startTestApp(feishuEnv(stub, { FEISHU_ENCRYPT_KEY: FS_ENCRYPT_KEY, DATABASE_URL: own.url }));
  });
  afterAll(() => app?.close());

  it('answers the encrypted url_verification challenge at once, touching nothing', async () => {
    const before = (await db.query('SELECT count(*)::int AS n FROM chat_deliveries')).rows[0].n;
    const started = performance.now();
    const res = await postFeishu(app.url, { ...URL_VERIFICATION, token: FS_TOKEN }, { encryptKey: FS_ENCRYPT_KEY });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(res).toEqual({ status: 200, json: { challenge: URL_VERIFICATION.challenge } });
    expect((await db.query('SELECT count(*)::int AS n FROM chat_deliveries')).rows[0].n).toBe(before);
  });

  it('acts on a correctly signed, encrypted card click', async () => {
    const ex = await openException(app);
    const click = cardClick(claimValue(ex), { open: FS_STAFF.agent.open });
    const res = await postFeishu(app.url, click, enc);
    expect(res.status).toBe(200);
    expect(res.json.toast.type).toBe('success');
    expect(await current(ex.id)).toMatchObject({ status: 'claimed', assignee: FS_STAFF.agent.id });
    expect(await delivered(click.header.event_id)).toBe(1);
  });

  it.each([
    ['a forged signature', { ...enc, signature: 'ab'.repeat(32) }, {}],
    ['a signature made with another key', { encryptKey: FS_ENCRYPT_KEY, signKey: 'not-the-key' }, {}],
    ['a stale timestamp (correctly signed)', { ...enc, timestampSeconds: Math.floor(Date.now() / 1000) - 400 }, {}],
    ['a timestamp from the future', { ...enc, timestampSeconds: Math.floor(Date.now() / 1000) + 400 }, {}],
    ['no signature at all', { encryptKey: FS_ENCRYPT_KEY }, {}],
    ['an unencrypted body', { signKey: FS_ENCRYPT_KEY }, {}],
    ['a wrong verification token inside', enc, { token: 'not-our-token' }],
    ['a body encrypted with another key', { encryptKey: 'another-key', signKey: FS_ENCRYPT_KEY }, {}],
  ])('refuses %s with 401 and changes nothing', async (_label, opts, extra) => {
    const ex = await openException(app);
    const click = cardClick(claimValue(ex), { open: FS_STAFF.agent.open }, extra);
    const res = await postFeishu(app.url, click, opts);
    expect(res.status).toBe(401);
    expect(res.json.error).toBe('orderops_signature_invalid');
    expect(await current(ex.id)).toEqual({ id: ex.id, version: ex.version, status: ex.status, assignee: ex.assignee });
    expect(await delivered(click.header.event_id)).toBe(0);
    expect(await claimAudits(ex.id)).toBe(0);
  });

  it('refuses a click for another app', async () => {
    const ex = await openException(app);
    const click = cardClick(claimValue(ex), { open: FS_STAFF.agent.open });
    click.header.app_id = 'cli_someoneelse0000';
    expect((await postFeishu(app.url, click, enc)).status).toBe(401);
    expect(await current(ex.id)).toMatchObject({ status: 'open' });
  });

  it('does nothing twice for a replayed (re-signed) delivery of the same event_id', async () => {
    const ex = await openException(app);
    const click = cardClick(claimValue(ex), { open: FS_STAFF.agent.open });
    const first = await postFeishu(app.url, click, enc);
    const again = await postFeishu(app.url, click, enc);
    expect(first.json.toast.type).toBe('success');
    expect(again).toEqual({ status: 200, json: {} });
    expect(await claimAudits(ex.id)).toBe(1);
  });
});

describe('with a verification token only', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(feishuEnv(stub, { DATABASE_URL: own.url }));
  });
  afterAll(() => app?.close());

  it('answers the plain url_verification challenge carrying the token', async () => {
    expect(await postFeishu(app.url, { ...URL_VERIFICATION, token: FS_TOKEN })).toEqual({ status: 200, json: { challenge: URL_VERIFICATION.challenge } });
  });

  it.each([
    ['without a token', URL_VERIFICATION],
    ['with a wrong token', { ...URL_VERIFICATION, token: 'guess' }],
  ])('refuses the challenge %s', async (_l, body) => {
    expect((await postFeishu(app.url, body)).status).toBe(401);
  });

  it('refuses a click with a wrong token, and an encrypted body it cannot decrypt', async () => {
    const ex = await openException(app);
    expect((await postFeishu(app.url, cardClick(claimValue(ex), { open: FS_STAFF.agent.open }, { token: 'x' }))).status).toBe(401);
    expect((await postFeishu(app.url, cardClick(claimValue(ex), { open: FS_STAFF.agent.open }), { encryptKey: 'k' })).status).toBe(401);
    expect(await current(ex.id)).toMatchObject({ status: 'open', assignee: null });
  });

  it('answers malformed JSON with 400', async () => {
    const res = await postFeishu(app.url, null, { raw: '{"schema":"2.0",' });
    expect(res.status).toBe(400);
  });

  const privateTo = (msg: ReturnType<typeof groupMessage>) => (r: { body: any }) =>
    r.body?.chat_id === msg.event.message.chat_id && r.body?.open_id === msg.event.sender.sender_id.open_id;
  const repliesTo = (msg: ReturnType<typeof groupMessage>) => stub.of('REPLY', (r) => r.path.includes(msg.event.message.message_id));

  it('answers @bot order <id> from staff with an ephemeral card only they see, once per event_id, and audits it', async () => {
    const ex = await openException(app);
    const msg = groupMessage(`order ${ex.externalId}`, { sender: FS_STAFF.agent.open });
    const sent = stub.of('EPHEMERAL').length;
    expect(await postFeishu(app.url, msg)).toEqual({ status: 200, json: {} });
    expect(await postFeishu(app.url, msg)).toEqual({ status: 200, json: {} }); // Feishu redelivers
    const eph = await eventually(async () => stub.of('EPHEMERAL', privateTo(msg))[0], 10_000, 'the private answer');
    expect(eph.body).toMatchObject({ chat_id: FS_CHAT.service, open_id: FS_STAFF.agent.open, msg_type: 'interactive' });
    const text = cardOf(eph).body.elements[0].content as string;
    expect(text).toContain(`订单 ${ex.externalId.replace(/_/g, '&#95;')}`);
    expect(text).toContain('地址模糊');
    await new Promise((r) => setTimeout(r, 200));
    expect(stub.of('EPHEMERAL').length).toBe(sent + 1);
    expect(repliesTo(msg)).toHaveLength(0); // never to the group
    expect(stub.of('BOT')).toHaveLength(1); // the bot's open_id is looked up once
    const audit = await db.query(
      `SELECT a.actor, a.source, a.details->>'query' AS query FROM audit_log a JOIN orders o ON o.id = a.entity_id
        WHERE a.entity = 'order' AND a.action = 'order.lookup' AND o.external_id = $1`, [ex.externalId]);
    expect(audit.rows).toEqual([{ actor: `staff:${FS_STAFF.agent.id}`, source: 'feishu', query: ex.externalId }]);
  });

  it('refuses a lookup by someone not in staff, privately, reading nothing, and audits the attempt', async () => {
    const ex = await openException(app);
    const msg = groupMessage(`查单 ${ex.externalId}`, { sender: 'ou_notstaff' });
    await postFeishu(app.url, msg);
    const eph = await eventually(async () => stub.of('EPHEMERAL', privateTo(msg))[0], 10_000, 'the denial');
    const text = cardOf(eph).body.elements[0].content as string;
    expect(text).toContain('只有 orderops.yml 中登记的员工可以查单');
    expect(text).not.toContain(ex.externalId.replace(/_/g, '&#95;'));
    expect(repliesTo(msg)).toHaveLength(0);
    const denied = await db.query(`SELECT details->>'query' AS query FROM audit_log WHERE action = 'order.lookup_denied' AND actor = 'feishu:ou_notstaff'`);
    expect(denied.rows.map((r) => r.query)).toContain(ex.externalId);
  });

  it('answers by direct message where the group takes no ephemeral card', async () => {
    const ex = await openException(app);
    const msg = groupMessage(`order ${ex.externalId}`, { sender: FS_STAFF.agent.open });
    stub.once((r) => r.method === 'EPHEMERAL' && r.body?.open_id === FS_STAFF.agent.open, [200, { code: 18053, msg: 'chat can not be thread' }]);
    await postFeishu(app.url, msg);
    const dm = await eventually(async () => stub.of('SEND', (r) => r.path.includes('receive_id_type=open_id') && r.body?.receive_id === FS_STAFF.agent.open && String(r.body?.content).includes('地址模糊'))[0], 10_000, 'the DM');
    expect(dm.body.uuid).toMatch(/^orderops-r-/);
    expect(repliesTo(msg)).toHaveLength(0);
  });

  it('answers in a direct chat with the bot as a reply there', async () => {
    const ex = await openException(app);
    const msg = groupMessage(`order ${ex.externalId}`, { sender: FS_STAFF.agent.open, p2p: true });
    await postFeishu(app.url, msg);
    const reply = await eventually(async () => repliesTo(msg)[0], 10_000, 'the reply');
    expect(cardOf(reply).body.elements[0].content).toContain('地址模糊');
    expect(reply.body.uuid).toMatch(/^orderops-r-/);
  });

  it('answers @bot 帮助 with the lookup usage and the orderops commands, and an unknown person with a denial, privately', async () => {
    const help = groupMessage('帮助', { sender: FS_STAFF.agent3.open });
    await postFeishu(app.url, help);
    const stranger = groupMessage('help', { sender: 'ou_notstaff' });
    await postFeishu(app.url, stranger);
    const a = await eventually(async () => stub.of('EPHEMERAL', privateTo(help))[0]);
    const b = await eventually(async () => stub.of('EPHEMERAL', privateTo(stranger))[0]);
    expect(cardOf(a).body.elements[0].content).toContain('用法：@机器人 查单');
    expect(cardOf(a).body.elements[0].content).toContain('orderops 命令');
    expect(cardOf(b).body.elements[0].content).toContain('只有 orderops.yml 中登记的员工');
    expect([...repliesTo(help), ...repliesTo(stranger)]).toHaveLength(0);
  });

  it('answers @bot 值班 with who is on duty per team (issue 20), to the asker alone (issue 13)', async () => {
    const ask = groupMessage('值班', { sender: FS_STAFF.agent2.open });
    await postFeishu(app.url, ask);
    const reply = await eventually(async () => stub.of('EPHEMERAL', (r) => privateTo(ask)(r) && String(cardOf(r).body.elements[0].content).includes('值班情况'))[0], 10_000, 'the private answer');
    expect(repliesTo(ask)).toHaveLength(0);
    const text = cardOf(reply).body.elements[0].content as string;
    expect(text).toContain('值班情况');
    // No roster and no hours in this test bed: always on, escalations go to the supervisors.
    expect(text).toContain('未配置值班表');
  });

  it('understands 查单 and answers usage when the id is missing', async () => {
    const ex = await openException(app);
    const zh = groupMessage(`查单 ${ex.externalId}`, { sender: FS_STAFF.agent.open });
    await postFeishu(app.url, zh);
    const usage = groupMessage('查单', { sender: FS_STAFF.agent.open });
    await postFeishu(app.url, usage);
    const a = await eventually(async () => stub.of('EPHEMERAL', (r) => privateTo(zh)(r) && String(cardOf(r).body.elements[0].content).includes('地址模糊'))[0]);
    const b = await eventually(async () => stub.of('EPHEMERAL', (r) => privateTo(usage)(r) && String(cardOf(r).body.elements[0].content).includes('用法：@机器人 查单'))[0]);
    expect(a).toBeDefined();
    expect(b).toBeDefined();
  });

  it('takes 调价 <sku> <price> from a staff member and lets only an approver decide on the card', async () => {
    const sku = `FS-SKU-${Date.now()}`;
    await db.query(`INSERT INTO skus (sku, name, stock, price) VALUES ($1, '台灯', 100, 899.00)`, [sku]);
    const msg = groupMessage(`调价 ${sku} 599.00`);
    msg.event.sender.sender_id.open_id = FS_STAFF.agent.open;
    await postFeishu(app.url, msg);
    const request = await eventually(async () => (await db.query('SELECT id::int AS id, version FROM price_changes WHERE sku = $1', [sku])).rows[0], 10_000, 'the price request');
    const value = (action: string) => ({ orderops: 'price', action, request_id: request.id, version: request.version });

    const denied = await postFeishu(app.url, cardClick(value('price.approve'), { open: FS_STAFF.agent.open }));
    expect(denied.json.toast.type).toBe('error');
    expect((await db.query('SELECT price FROM skus WHERE sku = $1', [sku])).rows[0].price).toBe('899.00');

    const ok = await postFeishu(app.url, cardClick(value('price.approve'), { open: FS_STAFF.sup.open }));
    expect(ok.json.toast.type).toBe('success');
    expect((await db.query('SELECT price FROM skus WHERE sku = $1', [sku])).rows[0].price).toBe('599.00');
  });

  it('ignores messages that do not mention the bot and messages from apps', async () => {
    const other = groupMessage('order 123', { mentionBot: false });
    const fromApp = groupMessage('order 123', { senderType: 'app' });
    await postFeishu(app.url, other);
    await postFeishu(app.url, fromApp);
    await new Promise((r) => setTimeout(r, 300));
    expect(stub.of('REPLY', (r) => r.path.includes(other.event.message.message_id) || r.path.includes(fromApp.event.message.message_id))).toHaveLength(0);
  });

  it('keeps a lookup query from injecting a mention or link into the reply', async () => {
    const msg = groupMessage('order <at id=all></at>[x](https://evil.example)', { sender: FS_STAFF.sup.open });
    await postFeishu(app.url, msg);
    const reply = await eventually(async () => stub.of('EPHEMERAL', (r) => r.body?.open_id === FS_STAFF.sup.open && String(cardOf(r).body.elements[0].content).includes('evil'))[0]);
    const text = cardOf(reply).body.elements[0].content as string;
    expect(text).toContain('没有找到订单');
    expect(text).not.toMatch(/<at id=all>|\]\(|https:\/\//);
    expect(text).toContain('&#60;at id=all&#62;');
  });

  it('keeps an @all in a buyer remark out of the posted card', async () => {
    const order = genericOrder({ remark: '急 <at id=all></at> <at id=ou_fssup></at>' });
    await postOrders(app.url, order);
    const post = await eventually(async () => stub.of('SEND', (r) => String(r.body?.content).includes(order.id as string))[0], 10_000, 'the card');
    expect(post.body.content).not.toContain('<at id=all>');
    expect(post.body.content).not.toContain('<at id=ou_fssup>');
    expect(post.body.content).toContain('&#60;at id=all&#62;');
  });

  it('runs the same checks and handlers for events from the long connection', async () => {
    const front = feishuFront(app);
    const ex = await openException(app);
    const click = cardClick(claimValue(ex), { open: FS_STAFF.agent2.open });
    const answer = (await front.wsDispatcher.invoke(click)) as { toast: { type: string }; card: unknown };
    expect(answer.toast.type).toBe('success');
    expect(answer.card).toBeDefined();
    expect(await front.wsDispatcher.invoke(click)).toBeUndefined(); // redelivered: nothing twice
    expect(await claimAudits(ex.id)).toBe(1);
    const foreign = cardClick(claimValue(await current(ex.id)), { open: FS_STAFF.agent.open });
    foreign.header.app_id = 'cli_other000000000000';
    expect(await front.wsDispatcher.invoke(foreign)).toBeUndefined();
    expect(await delivered(foreign.header.event_id)).toBe(0);
    expect(FS_APP_ID).toMatch(/^cli_[0-9a-f]{16}$/); // the shape WSClient.start() accepts
    expect(FS_BOT_OPEN_ID).toMatch(/^ou_/);
  });
});
