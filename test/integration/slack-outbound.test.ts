import pg from 'pg';
import { eventually, genericOrder, postOrders, uid, type TestApp } from '../helpers/test-app';
import { blockAction, CHANNELS, exceptionOf, interaction, STAFF, useSlackTestBed } from '../helpers/slack';
import type { FakeSlackApi, SlackCall } from '../helpers/slack-fake-api';

const bed = useSlackTestBed();
let app: TestApp;
let db: pg.Pool;
let slack: FakeSlackApi;
beforeAll(() => ({ app, db, slack } = bed));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mentions = (orderId: string) => (b: Record<string, any>) => String(b.text).includes(orderId);
const postsOf = (orderId: string): SlackCall[] => slack.of('chat.postMessage', (c) => String(c.body.text).includes(orderId));
const landed = (calls: SlackCall[]) => calls.filter((c) => (c.status === 200 && c.response.ok) || c.landed);
const messageRow = async (id: number) =>
  (await db.query(`SELECT channel, message_id, state, rendered_version, last_error FROM chat_messages WHERE card_key = $1`, [`exception:${id}`])).rows[0];

async function newOrder(overrides: Record<string, unknown> = { remark: '急' }) {
  const order = genericOrder({ id: uid('SO'), ...overrides });
  expect((await postOrders(app.url, order)).status).toBe(200);
  return order.id as string;
}

describe('Slack outbound: rate limits and failures', () => {
  it('a 429 with Retry-After is waited out, then the card is posted exactly once', async () => {
    const id = uid('SO');
    slack.override('chat.postMessage', () => ({ status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '1' } }), { when: mentions(id) });
    await postOrders(app.url, genericOrder({ id, remark: '急' }));
    const ex = await exceptionOf(db, id);
    const row = await eventually(async () => {
      const r = await messageRow(ex.id);
      return r?.state === 'posted' ? r : undefined;
    }, 15_000, 'the card posted');
    const posts = postsOf(id);
    expect(posts.map((c) => c.status)).toEqual([429, 200]);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(landed(posts)).toHaveLength(1);
    expect(row.message_id).toBe(posts[1]!.response.ts);
  });

  it('a 500 whose post did land is found by its metadata, not posted again', async () => {
    const id = uid('SO');
    slack.override('chat.postMessage', () => ({ status: 500, body: { ok: false }, landed: true }), { when: mentions(id) });
    await postOrders(app.url, genericOrder({ id, remark: '急' }));
    const ex = await exceptionOf(db, id);
    const row = await eventually(async () => {
      const r = await messageRow(ex.id);
      return r?.state === 'posted' ? r : undefined;
    }, 15_000, 'the card recorded');
    await sleep(300);
    const posts = postsOf(id);
    expect(posts).toHaveLength(1);
    expect(slack.of('conversations.history', (c) => c.body.channel === CHANNELS.service).length).toBeGreaterThan(0);
    expect(row.message_id).toBe(posts[0]!.landed!.ts);
  });

  it('a 503 on an update is retried with backoff', async () => {
    const id = await newOrder();
    const ex = await exceptionOf(db, id);
    const post = await eventually(async () => slack.cardPosts(ex.id)[0], 15_000, 'the card');
    slack.override('chat.update', () => ({ status: 503, body: { ok: false } }), { when: (b) => b.ts === post.response.ts, times: 2 });
    await interaction(app.url, blockAction({ userId: STAFF.agents[0]!.slack, channel: post.body.channel, messageTs: post.response.ts, actionId: 'exception.claim', value: `${ex.id}:${ex.version}` }));
    await eventually(async () => slack.cardUpdates(ex.id).find((c) => c.status === 200), 15_000, 'the update');
    expect(slack.cardUpdates(ex.id).map((c) => c.status)).toEqual([503, 503, 200]);
    await eventually(async () => ((await messageRow(ex.id)).rendered_version === ex.version + 1 ? true : undefined), 5000, 'the update recorded');
  });

  it('an unknown channel is a permanent failure: recorded with advice, not retried', async () => {
    const id = uid('SO');
    slack.override('chat.postMessage', () => ({ body: { ok: false, error: 'channel_not_found' } }), { when: mentions(id), times: 5 });
    await postOrders(app.url, genericOrder({ id, remark: '急' }));
    const ex = await exceptionOf(db, id);
    const row = await eventually(async () => {
      const r = await messageRow(ex.id);
      return r?.state === 'failed' ? r : undefined;
    }, 15_000, 'the failure recorded');
    expect(row.last_error).toContain('channel_not_found');
    expect(row.last_error).toContain('slack_channel');
    await sleep(1500);
    expect(postsOf(id)).toHaveLength(1);
  });

  it('a card deleted in Slack (message_not_found) is posted afresh', async () => {
    const id = await newOrder();
    const ex = await exceptionOf(db, id);
    const first = await eventually(async () => slack.cardPosts(ex.id)[0], 15_000, 'the card');
    slack.override('chat.update', () => ({ body: { ok: false, error: 'message_not_found' } }), { when: (b) => b.ts === first.response.ts });
    await interaction(app.url, blockAction({ userId: STAFF.agents[1]!.slack, channel: first.body.channel, messageTs: first.response.ts, actionId: 'exception.claim', value: `${ex.id}:${ex.version}` }));
    const second = await eventually(async () => slack.cardPosts(ex.id)[1], 15_000, 'the card posted again');
    expect(JSON.stringify(second.body.blocks)).toContain(`<@${STAFF.agents[1]!.slack}>`);
    const row = await eventually(async () => {
      const r = await messageRow(ex.id);
      return r?.message_id === second.response.ts ? r : undefined;
    }, 5000, 'the new message recorded');
    expect(row.state).toBe('posted');
  });
});
