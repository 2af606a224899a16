import nock from 'nock';
import pg from 'pg';
import { writeConfig } from '../helpers/config-file';
import { cardClick, cardOf, FeishuStub, FS_APP_ID, FS_APP_SECRET, FS_TOKEN, ownFeishuDatabase, testPool, postFeishu } from '../helpers/feishu';
import { fakeSlackApi, type FakeSlackApi } from '../helpers/slack-fake-api';
import { blockAction, interaction, SLACK_SECRET, SLACK_TOKEN } from '../helpers/slack';
import { eventually, genericOrder, postOrders, startTestApp, type TestApp } from '../helpers/test-app';

/** Both platforms configured: every exception is posted to both, and both cards stay in step. */
const CONFIG = `
locale: zh-CN
timezone: Asia/Shanghai
teams:
  service: { name: 客服组, feishu_chat: oc_fsboth, slack_channel: C0FSBOTH }
  finance: { name: 财务组 }
  warehouse: { name: 仓储组 }
  review: { name: 审核组 }
staff:
  - { id: fs_both1, name: 张三, role: agent, team: service, feishu: ou_fsboth1, slack: U0FSBOTH1 }
  - { id: fs_both2, name: 王五, role: agent, team: service, feishu: ou_fsboth2, slack: U0FSBOTH2 }
`;

let app: TestApp;
let db: pg.Pool;
let feishu: FeishuStub;
let slack: FakeSlackApi;
let own: Awaited<ReturnType<typeof ownFeishuDatabase>>;

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  feishu = await new FeishuStub().start();
  slack = fakeSlackApi();
  own = await ownFeishuDatabase();
  db = testPool(own.url);
  app = await startTestApp({
    DATABASE_URL: own.url,
    ORDEROPS_CONFIG: writeConfig(CONFIG),
    FEISHU_APP_ID: FS_APP_ID, FEISHU_APP_SECRET: FS_APP_SECRET, FEISHU_VERIFICATION_TOKEN: FS_TOKEN, FEISHU_DOMAIN: feishu.base,
    SLACK_BOT_TOKEN: SLACK_TOKEN, SLACK_SIGNING_SECRET: SLACK_SECRET,
  });
});
afterAll(async () => {
  await app?.close();
  await db.end();
  await own.drop();
  await feishu.close();
  slack.done();
  nock.cleanAll();
  nock.enableNetConnect();
});

const status = (card: any): string => card.body.elements[0].content;

it('posts each exception to Slack and Feishu, and a click on either updates both', async () => {
  const order = genericOrder({ address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' } });
  await postOrders(app.url, order);
  const ex = await eventually(async () => {
    const r = await db.query(`SELECT e.id::int AS id, e.version FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1 AND e.type = 'vague_address'`, [order.id]);
    return r.rows[0] as { id: number; version: number } | undefined;
  }, 10_000, 'the exception');
  const rows = await eventually(async () => {
    const r = await db.query(`SELECT platform, channel, message_id FROM chat_messages WHERE exception_id = $1 AND state = 'posted' ORDER BY platform`, [ex.id]);
    return r.rows.length === 2 ? r.rows : undefined;
  }, 10_000, 'both cards');
  expect(rows.map((r) => [r.platform, r.channel])).toEqual([['feishu', 'oc_fsboth'], ['slack', 'C0FSBOTH']]);
  const slackPost = slack.cardPosts(ex.id)[0]!;
  const feishuMsg = rows[0].message_id as string;

  // A Feishu click: the Slack copy follows.
  const res = await postFeishu(app.url, cardClick({ orderops: 'exception', action: 'exception.claim', exception_id: ex.id, version: ex.version }, { open: 'ou_fsboth1' }));
  expect(res.json.toast.type).toBe('success');
  await eventually(async () => (slack.cardUpdates(ex.id).some((u) => JSON.stringify(u.body).includes('U0FSBOTH1')) ? true : undefined), 10_000, 'the Slack update');

  // A Slack click (resolve, by the assignee's Slack id): the Feishu card is PATCHed.
  const button = (slack.cardUpdates(ex.id).at(-1)!.body.blocks as any[])
    .flatMap((b) => b.elements ?? (b.accessory ? [b.accessory] : []))
    .find((e: any) => e.type === 'button' && String(e.action_id).includes('resolve'));
  expect(button).toBeDefined();
  const click = await interaction(app.url, blockAction({ userId: 'U0FSBOTH1', channel: 'C0FSBOTH', messageTs: slackPost.response.ts, actionId: button.action_id, value: button.value }));
  expect(click.status).toBe(200);
  const patch = await eventually(async () => feishu.of('PATCH', (p) => p.path.endsWith(feishuMsg) && status(cardOf(p)).includes('已解决')).at(-1), 10_000, 'the Feishu PATCH');
  expect(cardOf(patch).header.template).toBe('green');
  expect((await db.query('SELECT status FROM exceptions WHERE id = $1', [ex.id])).rows[0].status).toBe('resolved');
});
