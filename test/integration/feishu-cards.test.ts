import pg from 'pg';
import { performExceptionAction } from '../../src/actions/exception-actions';
import { cardUuid } from '../../src/integrations/feishu/feishu-port';
import type { Card, ChatPort, PostedMessage } from '../../src/domain/ports';
import { eventually, genericOrder, postOrders, startTestApp, type TestApp } from '../helpers/test-app';
import { cardClick, cardOf, feishuEnv, FeishuStub, FS_CHAT, FS_STAFF, ownFeishuDatabase, testPool, postFeishu, type Recorded } from '../helpers/feishu';

/** A stand-in for the Slack port, so a configuration with both platforms can be checked. */
class RecordingPort implements ChatPort {
  readonly platform = 'slack' as const;
  posted: { channel: string; card: Card }[] = [];
  updated: { message: PostedMessage; card: Card }[] = [];
  channelFor(): string {
    return 'C0FSTEST';
  }
  async postCard(channel: string, card: Card): Promise<PostedMessage> {
    this.posted.push({ channel, card });
    return { channel, messageId: `ts-${this.posted.length}` };
  }
  async updateCard(message: PostedMessage, card: Card): Promise<void> {
    this.updated.push({ message, card });
  }
  async replyPrivately(): Promise<void> {}
  async sendDirect(): Promise<boolean> {
    return false;
  }
}

let app: TestApp;
let db: pg.Pool;
let stub: FeishuStub;
let own: Awaited<ReturnType<typeof ownFeishuDatabase>>;
const slack = new RecordingPort();

beforeAll(async () => {
  stub = await new FeishuStub().start();
  own = await ownFeishuDatabase();
  db = testPool(own.url);
  app = await startTestApp(feishuEnv(stub, { DATABASE_URL: own.url }), { chats: [slack] });
});
afterAll(async () => {
  await app?.close();
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

/** Post an order, wait for its exception of `type` and for its Feishu card. */
async function exceptionWithCard(order: Record<string, unknown>, type: string): Promise<{ ex: Ex; post: Recorded; messageId: string }> {
  expect((await postOrders(app.url, order)).status).toBe(200);
  const ex = await exceptionOf(order.id as string, type);
  const row = await eventually(async () => {
    const r = await db.query(`SELECT channel, message_id FROM chat_messages WHERE exception_id = $1 AND platform = 'feishu' AND state = 'posted'`, [ex.id]);
    return r.rows[0] as { channel: string; message_id: string } | undefined;
  }, 10_000, 'the Feishu card');
  const post = stub.of('SEND', (r) => r.body?.uuid === cardUuid(`exception:${ex.id}`, row.channel)).at(-1)!;
  return { ex: await current(ex.id), post, messageId: row.message_id };
}

async function exceptionOf(externalId: string, type: string): Promise<Ex> {
  return eventually(async () => {
    const r = await db.query<Ex>(
      `SELECT e.id::int AS id, e.version, e.status, e.assignee FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1 AND e.type = $2`,
      [externalId, type],
    );
    return r.rows[0];
  }, 10_000, `the ${type} exception`);
}

const current = async (id: number): Promise<Ex> =>
  (await db.query<Ex>('SELECT id::int AS id, version, status, assignee FROM exceptions WHERE id = $1', [id])).rows[0]!;
const auditOf = async (id: number) =>
  (await db.query(`SELECT actor, source, action FROM audit_log WHERE entity = 'exception' AND entity_id = $1 AND actor LIKE 'staff:%' ORDER BY id`, [id])).rows;
const value = (ex: Pick<Ex, 'id' | 'version'>, action: string, step?: string) => ({
  orderops: 'exception', action, exception_id: ex.id, version: ex.version, ...(step ? { step } : {}),
});
const click = (ex: Pick<Ex, 'id' | 'version'>, action: string, who: { open: string; union?: string }, extra: Parameters<typeof cardClick>[2] = {}, step?: string) =>
  postFeishu(app.url, cardClick(value(ex, action, step), who, extra));
const vague = (over: Record<string, unknown> = {}) =>
  genericOrder({ address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' }, ...over });
const review = () => genericOrder({ total: '5000.00', paid: '5000.00', items: [{ sku: 'SOFA-1', qty: 1, price: '5000.00' }] });
const markdownOf = (card: any): string => card.body.elements.filter((e: any) => e.tag === 'markdown').map((e: any) => e.content).join('\n');

describe('posting exception cards to Feishu', () => {
  it('posts card JSON 2.0 to the team chat with a uuid, masked phone and an escaped remark', async () => {
    const order = vague({ remark: '急！<at id=all></at> [领红包](https://evil.example/x) <font color=red>x</font>' });
    const { ex, post: mine } = await exceptionWithCard(order, 'vague_address');
    expect(mine.path).toContain('receive_id_type=chat_id');
    expect(mine.body).toMatchObject({ receive_id: FS_CHAT.service, msg_type: 'interactive' });
    const card = cardOf(mine);
    expect(card.schema).toBe('2.0');
    expect(card.config.update_multi).toBe(true);
    const md = markdownOf(card);
    expect(mine.body.content).not.toContain('13812345678');
    expect(md).toContain('138&#42;&#42;&#42;&#42;5678');
    expect(md).not.toMatch(/<at id=all>|<font|\]\(|https:\/\//);
    expect(md).toContain('&#60;at id=all&#62;&#60;/at&#62;');
    expect(card.body.elements.find((e: any) => e.tag === 'column_set').columns[0].elements[0].behaviors[0].value).toEqual(value(ex, 'exception.claim'));
    const row = (await db.query(`SELECT channel, message_id, rendered_version FROM chat_messages WHERE exception_id = $1 AND platform = 'feishu'`, [ex.id])).rows[0];
    expect(row).toMatchObject({ channel: FS_CHAT.service, message_id: expect.stringMatching(/^om_fs/), rendered_version: ex.version });
  });

  it('routes a team without its own chat to FEISHU_CHAT_ID, and posts to Slack too', async () => {
    const order = genericOrder({ remark: '请开发票' });
    await postOrders(app.url, order);
    const ex = await exceptionOf(order.id as string, 'remark_invoice');
    const post = await eventually(async () => stub.of('SEND', (r) => r.body?.uuid === cardUuid(`exception:${ex.id}`, FS_CHAT.fallback))[0]);
    expect(post.body.receive_id).toBe(FS_CHAT.fallback);
    await eventually(async () => (slack.posted.some((p) => p.card.kind === 'exception' && p.card.exceptionId === ex.id) ? true : undefined), 10_000, 'the Slack copy');
  });

  it('retries a rate-limited post after the reset and posts the card once (same uuid)', async () => {
    const order = vague();
    stub.once((r) => r.method === 'SEND' && String(r.body?.content).includes(order.id as string), [
      429, { code: 99991400, msg: 'request trigger frequency limit' }, { 'x-ogw-ratelimit-reset': '1' },
    ]);
    const { ex } = await exceptionWithCard(order, 'vague_address');
    const uuid = cardUuid(`exception:${ex.id}`, FS_CHAT.service);
    const attempts = stub.of('SEND', (r) => r.body?.uuid === uuid);
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(900);
    const rows = (await db.query(`SELECT state FROM chat_messages WHERE exception_id = $1 AND platform = 'feishu'`, [ex.id])).rows;
    expect(rows).toEqual([{ state: 'posted' }]);
  });
});

describe('card callbacks', () => {
  it('claims: answers with a toast and the re-rendered card, and records it', async () => {
    const { ex } = await exceptionWithCard(vague(), 'vague_address');
    const res = await click(ex, 'exception.claim', { open: FS_STAFF.agent.open });
    expect(res.status).toBe(200);
    expect(res.json.toast).toMatchObject({ type: 'success', content: expect.stringContaining('你已认领订单') });
    expect(res.json.card.type).toBe('raw');
    expect(res.json.card.data.schema).toBe('2.0');
    expect(res.json.card.data.body.elements[0].content).toContain(`<at id=${FS_STAFF.agent.open}></at>`);
    expect(await current(ex.id)).toMatchObject({ status: 'claimed', assignee: FS_STAFF.agent.id, version: ex.version + 1 });
    expect(await auditOf(ex.id)).toEqual([{ actor: `staff:${FS_STAFF.agent.id}`, source: 'feishu', action: 'exception.claim' }]);
    // The card job PATCHes the posted card too (harmless; the same content).
    const msgId = (await db.query(`SELECT message_id FROM chat_messages WHERE exception_id = $1 AND platform = 'feishu'`, [ex.id])).rows[0].message_id;
    const patch = await eventually(async () => stub.of('PATCH', (r) => r.path.endsWith(msgId))[0], 10_000, 'the PATCH');
    expect(markdownOf(cardOf(patch))).toContain(`<at id=${FS_STAFF.agent.open}></at>`);
  });

  it('lets exactly one of several concurrent claimers win; the others are told who has it', async () => {
    const { ex } = await exceptionWithCard(vague(), 'vague_address');
    const people = [FS_STAFF.agent, FS_STAFF.agent2, FS_STAFF.agent3];
    const results = await Promise.all(people.map((p) => click(ex, 'exception.claim', { open: p.open })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    const winners = results.filter((r) => r.json.toast.type === 'success');
    expect(winners).toHaveLength(1);
    const after = await current(ex.id);
    const winner = people.find((p) => p.id === after.assignee)!;
    for (const r of results.filter((x) => x.json.toast.type !== 'success')) {
      expect(r.json.toast).toEqual({ type: 'warning', content: expect.stringContaining(`已被 ${winner.name} 认领`) });
      expect(r.json.card.data.body.elements[0].content).toContain(`<at id=${winner.open}></at>`);
    }
    expect((await auditOf(ex.id)).filter((a) => a.action === 'exception.claim')).toHaveLength(1);
  });

  it('refuses approve to an agent and changes nothing; a supervisor approves', async () => {
    const { ex } = await exceptionWithCard(review(), 'review');
    const denied = await click(ex, 'exception.approve', { open: FS_STAFF.agent.open });
    expect(denied.json.toast).toEqual({ type: 'error', content: '只有主管、经理或管理员可以执行「审核通过」。' });
    expect(denied.json.card).toBeUndefined();
    expect(await current(ex.id)).toEqual(ex);
    expect(await auditOf(ex.id)).toEqual([]);
    const ok = await click(ex, 'exception.approve', { open: FS_STAFF.rev.open });
    expect(ok.json.toast.type).toBe('success');
    expect(await current(ex.id)).toMatchObject({ status: 'resolved', assignee: FS_STAFF.rev.id });
    expect(ok.json.card.data.header.template).toBe('green');
  });

  it('refuses an operator who is not on the staff list', async () => {
    const { ex } = await exceptionWithCard(vague(), 'vague_address');
    const res = await click(ex, 'exception.claim', { open: 'ou_stranger' });
    expect(res.json.toast.type).toBe('error');
    expect(res.json.toast.content).toContain('ou_stranger');
    expect(await current(ex.id)).toEqual(ex);
  });

  it('matches staff listed by union_id', async () => {
    const { ex } = await exceptionWithCard(vague(), 'vague_address');
    const res = await click(ex, 'exception.claim', { open: 'ou_unlisted_open', union: FS_STAFF.union.union });
    expect(res.json.toast.type).toBe('success');
    expect(await current(ex.id)).toMatchObject({ assignee: FS_STAFF.union.id });
  });

  it('escalates (supervisor only) and DMs the manager on Feishu', async () => {
    const { ex } = await exceptionWithCard(vague(), 'vague_address');
    const agent = await click(ex, 'exception.escalate', { open: FS_STAFF.agent.open });
    expect(agent.json.toast.type).toBe('error');
    const res = await click(ex, 'exception.escalate', { open: FS_STAFF.sup.open });
    expect(res.json.toast).toMatchObject({ type: 'success', content: expect.stringContaining('已升级') });
    expect(await current(ex.id)).toMatchObject({ status: 'escalated' });
    const dm = await eventually(async () => stub.of('SEND', (r) => r.body?.receive_id === FS_STAFF.mgr.open)[0], 10_000, 'the manager DM');
    expect(dm.path).toContain('receive_id_type=open_id');
    expect(markdownOf(cardOf(dm))).toContain('李四 升级了订单');
  });

  it('resolves by the assignee', async () => {
    const { ex } = await exceptionWithCard(vague(), 'vague_address');
    await click(ex, 'exception.claim', { open: FS_STAFF.agent2.open });
    const claimed = await current(ex.id);
    const other = await click(claimed, 'exception.resolve', { open: FS_STAFF.agent.open });
    expect(other.json.toast.type).toBe('error');
    const res = await click(claimed, 'exception.resolve', { open: FS_STAFF.agent2.open });
    expect(res.json.toast.type).toBe('success');
    expect(await current(ex.id)).toMatchObject({ status: 'resolved' });
  });

  it('answers a stale click with a refreshed card and changes nothing', async () => {
    const { ex } = await exceptionWithCard(vague(), 'vague_address');
    await click(ex, 'exception.escalate', { open: FS_STAFF.sup.open });
    const after = await current(ex.id);
    const res = await click(ex, 'exception.claim', { open: FS_STAFF.agent.open }); // the card still showed the old version
    expect(res.json.toast).toEqual({ type: 'info', content: '卡片不是最新状态，已为你刷新，请再看一眼后重试。' });
    expect(res.json.card.data.body.elements[0].content).toContain('已升级');
    expect(await current(ex.id)).toEqual(after);
  });

  it('ignores a value that is not ours', async () => {
    const res = await postFeishu(app.url, cardClick({ key: 'value' }, { open: FS_STAFF.agent.open }));
    expect(res.status).toBe(200);
    expect(res.json.toast.type).toBe('error');
    expect(res.json.card).toBeUndefined();
  });
});

describe('Fix address form', () => {
  it('opens the form, shows field errors, then saves a valid address and resolves the exception', async () => {
    const order = vague();
    const { ex } = await exceptionWithCard(order, 'vague_address');
    const open = await click(ex, 'exception.fix_address', { open: FS_STAFF.agent.open }, {}, 'open');
    const form = open.json.card.data.body.elements.find((e: any) => e.tag === 'form');
    expect(form.elements.filter((e: any) => e.tag === 'input').map((e: any) => e.name)).toEqual(['province', 'city', 'district', 'detail']);
    expect(await current(ex.id)).toEqual(ex);

    const bad = await click(ex, 'exception.fix_address', { open: FS_STAFF.agent.open }, { formValue: { province: '火星省', city: '杭州市', district: '', detail: '门口' } }, 'submit');
    expect(bad.json.toast.type).toBe('error');
    const badForm = bad.json.card.data.body.elements.find((e: any) => e.tag === 'form');
    expect(badForm.elements.filter((e: any) => e.tag === 'markdown' && e.content.includes("<font color='red'>"))).not.toHaveLength(0);
    expect(badForm.elements.find((e: any) => e.name === 'province').default_value).toBe('火星省');
    expect(await current(ex.id)).toEqual(ex);

    const good = await click(ex, 'exception.fix_address', { open: FS_STAFF.agent.open }, { formValue: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号3幢501室' } }, 'submit');
    expect(good.json.toast).toMatchObject({ type: 'success', content: expect.stringContaining('地址已更新') });
    expect(good.json.card.data.body.elements.some((e: any) => e.tag === 'form')).toBe(false);
    expect(await current(ex.id)).toMatchObject({ status: 'resolved' });
    const o = (await db.query('SELECT address_override FROM orders WHERE external_id = $1', [order.id])).rows[0];
    expect(o.address_override).toMatchObject({ province: '浙江省', detail: '文三路90号3幢501室' });
    expect((await auditOf(ex.id)).map((a) => [a.source, a.action])).toEqual([['feishu', 'exception.fix_address']]);
  });
});

describe('changes from elsewhere', () => {
  it('updates the Feishu card by PATCH after a Slack-side claim, and the Slack copy too', async () => {
    const { ex, messageId: msgId } = await exceptionWithCard(vague(), 'vague_address');
    const r = await performExceptionAction(app.actions, {
      action: 'exception.claim', exceptionId: ex.id, version: ex.version, user: { platform: 'slack', userId: FS_STAFF.agent2.slack }, via: 'slack',
    });
    expect(r.ok).toBe(true);
    const patch = await eventually(async () => stub.of('PATCH', (p) => p.path.endsWith(msgId))[0], 10_000, 'the Feishu PATCH');
    expect(markdownOf(cardOf(patch))).toContain(`<at id=${FS_STAFF.agent2.open}></at>`);
    await eventually(async () => (slack.updated.some((u) => u.card.kind === 'exception' && u.card.exceptionId === ex.id && u.card.status === 'claimed') ? true : undefined), 10_000, 'the Slack update');
  });

  it('refreshes a revoked tenant token and still PATCHes the card', async () => {
    const { ex, messageId: msgId } = await exceptionWithCard(vague(), 'vague_address');
    const used = stub.of('SEND').map((s) => s.auth!.replace('Bearer ', ''));
    for (const t of used) stub.revokedTokens.add(t);
    const tokensBefore = stub.of('TOKEN').length;
    await click(ex, 'exception.claim', { open: FS_STAFF.agent.open });
    const patches = await eventually(async () => {
      const p = stub.of('PATCH', (x) => x.path.endsWith(msgId));
      return p.some((x) => !stub.revokedTokens.has(x.auth!.replace('Bearer ', ''))) ? p : undefined;
    }, 10_000, 'a PATCH with a fresh token');
    expect(stub.of('TOKEN').length).toBeGreaterThan(tokensBefore);
    expect(patches[0]!.auth).not.toBe(patches[patches.length - 1]!.auth);
    const row = await eventually(async () => {
      const r = (await db.query(`SELECT rendered_version FROM chat_messages WHERE exception_id = $1 AND platform = 'feishu'`, [ex.id])).rows[0];
      return r.rendered_version === ex.version + 1 ? r : undefined;
    });
    expect(row.rendered_version).toBe(ex.version + 1);
  });
});
