import pg from 'pg';
import { eventually, genericOrder, postOrders, uid, type TestApp } from '../helpers/test-app';
import { blockAction, CHANNELS, exceptionOf, FALLBACK_CHANNEL, interaction, STAFF, viewSubmission, useSlackTestBed } from '../helpers/slack';
import type { FakeSlackApi, SlackCall } from '../helpers/slack-fake-api';

const bed = useSlackTestBed();
let app: TestApp;
let db: pg.Pool;
let slack: FakeSlackApi;
beforeAll(() => ({ app, db, slack } = bed));

const agent = (i: number) => STAFF.agents[i - 1]!;
const VAGUE = { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' };

/** Post an order that raises one exception; wait for its card on Slack. */
async function exceptionCard(overrides: Record<string, unknown>) {
  const order = genericOrder({ id: uid('SL'), ...overrides });
  expect((await postOrders(app.url, order)).status).toBe(200);
  const ex = await exceptionOf(db, order.id as string);
  const post = await eventually(async () => slack.cardPosts(ex.id)[0], 15_000, 'the card post');
  return { order, ex, post, channel: post.body.channel as string, ts: post.response.ts as string };
}

const click = (p: { userId: string; channel: string; ts: string; action: string; exceptionId: number; version: number }) =>
  interaction(app.url, blockAction({ userId: p.userId, channel: p.channel, messageTs: p.ts, actionId: p.action, value: `${p.exceptionId}:${p.version}` }));

const exceptionRow = async (id: number) =>
  (await db.query('SELECT status, assignee, version, escalation_level, resolution FROM exceptions WHERE id = $1', [id])).rows[0];
const auditRows = async (id: number) =>
  (await db.query(`SELECT actor, source, action FROM audit_log WHERE entity = 'exception' AND entity_id = $1 AND source = 'slack' ORDER BY id`, [id])).rows;
const ephemeralText = (userId: string, contains: string) => eventually(async () => slack.ephemeralsTo(userId).find((c) => String(c.body.text).includes(contains)), 10_000, `an ephemeral to ${userId} saying "${contains}"`);
const cardUpdate = (id: number, version: number) =>
  eventually(async () => slack.cardUpdates(id).find((c) => c.body.metadata.event_payload.version === version), 10_000, `the card update to v${version}`);
const blockText = (c: SlackCall) => JSON.stringify(c.body.blocks);
const actionIds = (c: SlackCall) => (c.body.blocks as any[]).find((b) => b.type === 'actions')?.elements.map((e: any) => e.action_id) ?? [];

describe('Slack: exception cards', () => {
  it('posts a card for an exception order, masked and escaped, and records where it went', async () => {
    const remark = '急 <!channel> <@U123> <https://evil.example|click> *bold* & more';
    const { ex, post, ts } = await exceptionCard({ remark, buyer: { name: '王五', phone: '13812345678' } });
    expect(ex.type).toBe('remark_urgent');
    expect(post.body.channel).toBe(CHANNELS.service);
    expect(post.body.metadata).toEqual({ event_type: 'orderops_card', event_payload: { card_key: `exception:${ex.id}`, exception_id: ex.id, version: ex.version } });
    const text = blockText(post);
    expect(text).toContain('138****5678');
    // locale: en — the reason is rendered from its key in English, the buyer's keyword quoted as written.
    expect(text).toContain(JSON.stringify('buyer remark contains "急"').slice(1, -1));
    expect(text).not.toContain('13812345678');
    const remarkValue = (post.body.blocks as any[]).flatMap((b) => b.fields ?? []).find((f: any) => f.text.includes('bold'));
    // Plain text (no mrkdwn: *bold* stays literal), with Slack's three control characters escaped.
    expect(remarkValue).toEqual({ type: 'plain_text', emoji: false, text: '急 &lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|click&gt; *bold* &amp; more' });
    for (const raw of ['<!channel>', '<@U123>', '<https://evil']) expect(text).not.toContain(raw);
    expect(post.body.text).not.toMatch(/<[@!#]/);
    expect(post.body.unfurl_links).toBe('false');
    expect(post.body.parse).toBeUndefined();
    expect(post.body.link_names).toBeUndefined();
    expect(actionIds(post)).toEqual(['exception.claim', 'exception.escalate']);
    const buttons = (post.body.blocks as any[]).find((b) => b.type === 'actions').elements;
    expect(buttons.every((b: any) => b.value === `${ex.id}:${ex.version}`)).toBe(true);
    expect(buttons.find((b: any) => b.action_id === 'exception.escalate').confirm).toBeDefined();
    const row = await eventually(async () => {
      const { rows } = await db.query(`SELECT platform, channel, message_id, state, rendered_version FROM chat_messages WHERE card_key = $1`, [`exception:${ex.id}`]);
      return rows[0]?.state === 'posted' ? rows : undefined;
    }, 5000, 'the chat_messages row');
    expect(row).toEqual([{ platform: 'slack', channel: CHANNELS.service, message_id: ts, state: 'posted', rendered_version: ex.version }]);
  });

  it('posts a team without a Slack channel to the fallback SLACK_CHANNEL', async () => {
    const { ex, post } = await exceptionCard({ remark: '请开发票' });
    expect(ex.team).toBe('finance');
    expect(post.body.channel).toBe(FALLBACK_CHANNEL);
  });

  it('claim: the exception is claimed in the database, audited, and the card is updated in place', async () => {
    const { ex, channel, ts } = await exceptionCard({ remark: '急' });
    const res = await click({ userId: agent(1).slack, channel, ts, action: 'exception.claim', exceptionId: ex.id, version: ex.version });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const update = await cardUpdate(ex.id, ex.version + 1);
    expect(update.body).toMatchObject({ channel, ts });
    expect(blockText(update)).toContain(`<@${agent(1).slack}>`);
    expect(actionIds(update)).toEqual(['exception.escalate', 'exception.resolve']);
    expect(await exceptionRow(ex.id)).toMatchObject({ status: 'claimed', assignee: agent(1).id, version: ex.version + 1 });
    expect(await auditRows(ex.id)).toEqual([{ actor: `staff:${agent(1).id}`, source: 'slack', action: 'exception.claim' }]);
    await ephemeralText(agent(1).slack, 'You claimed');
  });

  it('ten concurrent claims: exactly one wins, the nine others are told privately who has it', async () => {
    const { ex, channel, ts } = await exceptionCard({ remark: '加急' });
    const agents = STAFF.agents.slice(0, 10);
    const results = await Promise.all(
      agents.map((a) => click({ userId: a.slack, channel, ts, action: 'exception.claim', exceptionId: ex.id, version: ex.version })),
    );
    expect(results.map((r) => r.status)).toEqual(agents.map(() => 200));
    const row = await exceptionRow(ex.id);
    expect(row.status).toBe('claimed');
    expect(row.version).toBe(ex.version + 1);
    const winner = agents.find((a) => a.id === row.assignee)!;
    expect(winner).toBeDefined();
    await ephemeralText(winner.slack, 'You claimed');
    for (const a of agents.filter((x) => x !== winner)) await ephemeralText(a.slack, `already claimed by ${winner.name}`);
    expect((await auditRows(ex.id)).filter((r) => r.action === 'exception.claim')).toHaveLength(1);
  });

  it('resolve after claim: resolved, the order released, the card shows it with no buttons', async () => {
    const { order, ex, channel, ts } = await exceptionCard({ remark: '急' });
    await click({ userId: agent(2).slack, channel, ts, action: 'exception.claim', exceptionId: ex.id, version: ex.version });
    await cardUpdate(ex.id, ex.version + 1);
    await click({ userId: agent(2).slack, channel, ts, action: 'exception.resolve', exceptionId: ex.id, version: ex.version + 1 });
    const update = await cardUpdate(ex.id, ex.version + 2);
    expect(actionIds(update)).toEqual([]);
    expect(blockText(update)).toContain('Resolved');
    expect(await exceptionRow(ex.id)).toMatchObject({ status: 'resolved', assignee: agent(2).id });
    const o = (await db.query('SELECT review_status FROM orders WHERE external_id = $1', [order.id])).rows[0];
    expect(o.review_status).toBe('approved');
    expect((await auditRows(ex.id)).map((r) => r.action)).toEqual(['exception.claim', 'exception.resolve']);
  });

  it('approve by an agent is denied privately and changes nothing', async () => {
    const { ex, channel, ts } = await exceptionCard({ total: '5000.00', paid: '5000.00', items: [{ sku: 'TV-01', qty: 1, price: '5000.00' }] });
    expect(ex.type).toBe('review');
    expect(channel).toBe(CHANNELS.review);
    const before = await exceptionRow(ex.id);
    const res = await click({ userId: agent(3).slack, channel, ts, action: 'exception.approve', exceptionId: ex.id, version: ex.version });
    expect(res.status).toBe(200);
    await ephemeralText(agent(3).slack, 'Only a supervisor');
    expect(await exceptionRow(ex.id)).toEqual(before);
    expect(await auditRows(ex.id)).toEqual([]);
    expect(slack.cardUpdates(ex.id)).toEqual([]);
  });

  it('approve by a supervisor resolves a review exception and releases the order', async () => {
    const { order, ex, channel, ts } = await exceptionCard({ total: '6000.00', paid: '6000.00', items: [{ sku: 'TV-02', qty: 1, price: '6000.00' }] });
    const post = slack.cardPosts(ex.id)[0]!;
    expect(actionIds(post)).toEqual(['exception.claim', 'exception.approve', 'exception.escalate']);
    await click({ userId: STAFF.reviewSupervisor.slack, channel, ts, action: 'exception.approve', exceptionId: ex.id, version: ex.version });
    const update = await cardUpdate(ex.id, ex.version + 1);
    expect(actionIds(update)).toEqual([]);
    expect(await exceptionRow(ex.id)).toMatchObject({ status: 'resolved', assignee: STAFF.reviewSupervisor.id });
    expect((await db.query('SELECT review_status FROM orders WHERE external_id = $1', [order.id])).rows[0].review_status).toBe('approved');
    expect(await auditRows(ex.id)).toEqual([{ actor: `staff:${STAFF.reviewSupervisor.id}`, source: 'slack', action: 'exception.approve' }]);
    await ephemeralText(STAFF.reviewSupervisor.slack, 'approved');
  });

  it('escalate: marked escalated, the card says so, the manager gets a DM, each notification recorded', async () => {
    const { ex, channel, ts } = await exceptionCard({ remark: '急' });
    await click({ userId: STAFF.supervisor.slack, channel, ts, action: 'exception.escalate', exceptionId: ex.id, version: ex.version });
    const update = await cardUpdate(ex.id, ex.version + 1);
    expect(blockText(update)).toContain('Escalated');
    expect(actionIds(update)).toEqual(['exception.claim']);
    expect(await exceptionRow(ex.id)).toMatchObject({ status: 'escalated', escalation_level: 1 });
    const open = await eventually(async () => slack.of('conversations.open', (c) => c.body.users === STAFF.manager.slack)[0], 10_000, 'conversations.open');
    const dmChannel = open.response.channel.id;
    const dm = await eventually(async () => slack.of('chat.postMessage', (c) => c.body.channel === dmChannel && String(c.body.text).includes('Sam Super escalated'))[0], 10_000, 'the DM');
    expect(dm.body.text).toContain('order');
    const notes = await eventually(async () => {
      const { rows } = await db.query(`SELECT recipient, channel, status FROM notifications WHERE exception_id = $1 ORDER BY recipient`, [ex.id]);
      return rows.length >= 2 && rows.every((r) => r.status !== 'pending') ? rows : undefined;
    }, 10_000, 'the notification rows');
    expect(notes).toEqual([
      { recipient: STAFF.manager.id, channel: 'slack_dm', status: 'sent' },
      { recipient: STAFF.offline.id, channel: 'slack_dm', status: 'skipped' },
    ]);
    // The one who escalated is not told about their own escalation.
    expect(slack.of('conversations.open', (c) => c.body.users === STAFF.supervisor.slack)).toEqual([]);
  });

  it('escalate by an agent is denied and changes nothing', async () => {
    const { ex, channel, ts } = await exceptionCard({ remark: '急' });
    await click({ userId: agent(4).slack, channel, ts, action: 'exception.escalate', exceptionId: ex.id, version: ex.version });
    await ephemeralText(agent(4).slack, 'Only a supervisor');
    expect(await exceptionRow(ex.id)).toMatchObject({ status: 'open', version: ex.version, escalation_level: 0 });
  });

  it('a click on a stale card refreshes it and says so, changing nothing else', async () => {
    const { ex, channel, ts } = await exceptionCard({ remark: '急' });
    await click({ userId: agent(5).slack, channel, ts, action: 'exception.claim', exceptionId: ex.id, version: ex.version });
    await cardUpdate(ex.id, ex.version + 1);
    await eventually(async () => {
      const { rows } = await db.query(`SELECT rendered_version FROM chat_messages WHERE card_key = $1`, [`exception:${ex.id}`]);
      return rows[0]?.rendered_version === ex.version + 1 ? true : undefined;
    }, 5000, 'the update recorded');
    // The supervisor still sees version 1 (say, that update never reached Slack).
    await db.query(`UPDATE chat_messages SET rendered_version = $2 WHERE card_key = $1`, [`exception:${ex.id}`, ex.version]);
    const updatesBefore = slack.cardUpdates(ex.id).length;
    const before = await exceptionRow(ex.id);
    await click({ userId: STAFF.supervisor.slack, channel, ts, action: 'exception.escalate', exceptionId: ex.id, version: ex.version });
    await ephemeralText(STAFF.supervisor.slack, 'out of date');
    await eventually(async () => (slack.cardUpdates(ex.id).length > updatesBefore ? true : undefined), 10_000, 'the refresh');
    expect(await exceptionRow(ex.id)).toEqual(before);
    expect((await auditRows(ex.id)).map((r) => r.action)).toEqual(['exception.claim']);
  });

  it('an unknown Slack user is told how to get added, and nothing changes', async () => {
    const { ex, channel, ts } = await exceptionCard({ remark: '急' });
    await click({ userId: 'U0STRANGER', channel, ts, action: 'exception.claim', exceptionId: ex.id, version: ex.version });
    await ephemeralText('U0STRANGER', 'not on the orderops staff list');
    expect(await exceptionRow(ex.id)).toMatchObject({ status: 'open', assignee: null });
  });
});

describe('Slack: Fix address', () => {
  it('opens the form, refuses a bad address with field errors, then fixes the order and resolves the card', async () => {
    const { order, ex, channel, ts, post } = await exceptionCard({ address: VAGUE });
    expect(ex.type).toBe('vague_address');
    expect(actionIds(post)).toContain('exception.fix_address');
    const clickRes = await interaction(
      app.url,
      blockAction({ userId: agent(6).slack, channel, messageTs: ts, actionId: 'exception.fix_address', value: `${ex.id}:${ex.version}`, blocks: post.body.blocks }),
    );
    expect(clickRes.status).toBe(200);
    const open = await eventually(async () => slack.of('views.open').find((c) => c.body.view?.private_metadata?.includes(`"e":${ex.id}`)), 10_000, 'views.open');
    const view = open.body.view;
    expect(view.callback_id).toBe('exception.fix_address');
    expect(view.blocks.filter((b: any) => b.type === 'input').map((b: any) => b.block_id)).toEqual(['province', 'city', 'district', 'detail']);
    expect(open.body.trigger_id).toBeTruthy();

    const bad = await interaction(
      app.url,
      viewSubmission({ userId: agent(6).slack, privateMetadata: view.private_metadata, values: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' } }),
    );
    expect(bad.status).toBe(200);
    expect(bad.json.response_action).toBe('errors');
    expect(Object.keys(bad.json.errors)).toEqual(['detail']);
    const unchanged = (await db.query('SELECT address_override FROM orders WHERE external_id = $1', [order.id])).rows[0];
    expect(unchanged.address_override).toBeNull();
    expect(await exceptionRow(ex.id)).toMatchObject({ status: 'open', version: ex.version });

    const wrongCity = await interaction(
      app.url,
      viewSubmission({ userId: agent(6).slack, privateMetadata: view.private_metadata, values: { province: '浙江省', city: '广州市', district: '', detail: '文三路90号' } }),
    );
    expect(wrongCity.json.response_action).toBe('errors');
    expect(Object.keys(wrongCity.json.errors)).toContain('city');

    const fixed = { province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号3幢501室' };
    const good = await interaction(app.url, viewSubmission({ userId: agent(6).slack, privateMetadata: view.private_metadata, values: fixed }));
    expect(good.status).toBe(200);
    expect(good.text).toBe('');
    const o = (await db.query('SELECT address_override, review_status FROM orders WHERE external_id = $1', [order.id])).rows[0];
    expect(o.address_override).toEqual(fixed);
    expect(await exceptionRow(ex.id)).toMatchObject({ status: 'resolved', assignee: agent(6).id });
    const update = await cardUpdate(ex.id, ex.version + 1);
    expect(actionIds(update)).toEqual([]);
    await ephemeralText(agent(6).slack, 'Address of order');
  });

  it('a form submitted for an exception already resolved answers with a notice and changes nothing', async () => {
    const { ex } = await exceptionCard({ address: VAGUE });
    await db.query(`UPDATE exceptions SET status = 'resolved', resolved_at = now(), version = version + 1 WHERE id = $1`, [ex.id]);
    const res = await interaction(
      app.url,
      viewSubmission({ userId: agent(7).slack, privateMetadata: JSON.stringify({ e: ex.id, v: ex.version, c: CHANNELS.service }), values: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号3幢501室' } }),
    );
    expect(res.json.response_action).toBe('update');
    expect(JSON.stringify(res.json.view)).toContain('already resolved');
  });
});
