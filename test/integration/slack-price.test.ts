import pg from 'pg';
import { eventually, startTestApp, uid, type TestApp } from '../helpers/test-app';
import { blockAction, FORM, interaction, postSlack, slackEnv, slashCommand, STAFF } from '../helpers/slack';
import { fakeSlackApi, onlyLocalNetwork, type FakeSlackApi } from '../helpers/slack-fake-api';

let app: TestApp;
let db: pg.Pool;
let slack: FakeSlackApi;

beforeAll(async () => {
  onlyLocalNetwork();
  slack = fakeSlackApi();
  app = await startTestApp(slackEnv());
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
});
afterAll(async () => {
  await app.close();
  await db.end();
  slack.done();
});

const agent = STAFF.agents[0]!;
const pricePosts = (requestId: number) =>
  slack.of('chat.postMessage', (c) => c.response?.ok && c.body.metadata?.event_payload?.card_key === `price:${requestId}`);

describe('Slack: /price and the approval card', () => {
  it('posts an approval card; an agent is denied, a supervisor approves and the master price changes', async () => {
    const sku = uid('SKU');
    await db.query(`INSERT INTO skus (sku, name, stock, price) VALUES ($1, '台灯', 100, 899.00)`, [sku]);

    const cmd = await postSlack(app.url, slashCommand({ userId: agent.slack, text: `${sku} 599.00`, command: '/price' }), FORM);
    expect(cmd.status).toBe(200);
    const request = await eventually(async () => (await db.query('SELECT id, version, status FROM price_changes WHERE sku = $1', [sku])).rows[0]);
    expect(request.status).toBe('pending');
    const post = await eventually(async () => pricePosts(request.id)[0], 15_000, 'the price card');
    const actions = post.body.blocks.find((b: { type: string; elements?: { action_id: string }[] }) => b.type === 'actions' && b.elements?.some((e) => e.action_id === 'price.approve'));
    expect(actions).toBeDefined();
    const approve = actions.elements.find((e: { action_id: string }) => e.action_id === 'price.approve');

    // An agent may not approve: a private denial, nothing changes.
    await interaction(app.url, blockAction({ userId: agent.slack, channel: post.body.channel, messageTs: post.response.ts, actionId: 'price.approve', value: approve.value }));
    await eventually(async () => (slack.ephemeralsTo(agent.slack).length > 0 ? true : undefined));
    expect((await db.query('SELECT price FROM skus WHERE sku = $1', [sku])).rows[0].price).toBe('899.00');
    expect((await db.query('SELECT status FROM price_changes WHERE id = $1', [request.id])).rows[0].status).toBe('pending');

    await interaction(app.url, blockAction({ userId: STAFF.supervisor.slack, channel: post.body.channel, messageTs: post.response.ts, actionId: 'price.approve', value: approve.value }));
    const sku2 = await eventually(async () => {
      const r = (await db.query('SELECT price FROM skus WHERE sku = $1', [sku])).rows[0];
      return r.price === '599.00' ? r : undefined;
    }, 10_000, 'the approved price');
    expect(sku2.price).toBe('599.00');
    const audit = await db.query(`SELECT actor, source FROM audit_log WHERE action LIKE 'price%' AND actor = 'staff:sup'`);
    expect(audit.rows.length).toBeGreaterThan(0);
    expect(audit.rows[0].source).toBe('slack');
  });

  it('answers a malformed /price with its usage and creates nothing', async () => {
    const before = Number((await db.query('SELECT count(*) FROM price_changes')).rows[0].count);
    const res = await postSlack(app.url, slashCommand({ userId: agent.slack, text: 'only-a-sku', command: '/price' }), FORM);
    expect(res.json).toEqual({ response_type: 'ephemeral', text: expect.stringContaining('Usage: /price') });
    expect(Number((await db.query('SELECT count(*) FROM price_changes')).rows[0].count)).toBe(before);
  });
});
