import { readFileSync } from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import pg from 'pg';
import pino from 'pino';
import { eventually, startTestApp, type TestApp } from '../helpers/test-app';
import { onlyLoopback, restoreNet } from '../helpers/loopback-only';
import { writeConfig } from '../helpers/config-file';
import { topSign } from '../../src/integrations/platforms/taobao/sign';
import { drainMessageQueue } from '../../src/actions/take-shop-messages';
import { tmcQueue } from '../../src/integrations/platforms/taobao/tmc';

// Taobao's message service polled over HTTP: trade messages become thin orders through the intake,
// the batch is confirmed only after they are stored, each trade is then fetched whole with the
// shop's session, and a redelivered batch (its confirm lost) is stored once.
const APP = { key: '12345678', secret: 'helloworld' };
const TOP = 'https://top-tmc.test';
const SHOP_NICK = '家居旗舰店';
const CONFIG = writeConfig(`
taobao_tmc: { enabled: true, poll_seconds: 1, quantity: 50 }
shops:
  - { id: tb-home, source: taobao, token_env: TB_SESSION_HOME, order_shop: "${SHOP_NICK}", reconcile: { enabled: false } }
`);

let app: TestApp;
let db: pg.Pool;
/** The raw text of a fixture trade, so its 19-digit tid stays a bare JSON number as Taobao sends it. */
const tradeText = (tid: string) => {
  const all = readFileSync(path.join(__dirname, '..', 'fixtures', 'taobao', 'trades.json'), 'utf8');
  const start = all.indexOf('{', all.indexOf('"paid, waiting to ship, masked receiver with OAID"') + 10);
  let depth = 0;
  let end = start;
  for (; end < all.length; end++) {
    if (all[end] === '{') depth++;
    if (all[end] === '}' && --depth === 0) break;
  }
  return all.slice(start, end + 1).replace(/"tid": \d+/, `"tid": ${tid}`);
};

interface TopCall { params: Record<string, string> }
const calls: TopCall[] = [];
let inbox: string[] = []; // messages the fake TMC hands out until confirmed
const confirmed = new Set<string>();
let failConfirms = 0;

function message(id: string, topic: string, content: string) {
  return `{"id":${id},"topic":"${topic}","pub_app_key":"${APP.key}","pub_time":"2026-01-08 20:01:31","user_id":99,"user_nick":"${SHOP_NICK}","content":${JSON.stringify(content)}}`;
}

beforeAll(async () => {
  onlyLoopback();
  nock(TOP)
    .persist()
    .post('/router/rest')
    .reply((_uri, body) => {
      const params = Object.fromEntries(new URLSearchParams(String(body)));
      calls.push({ params });
      switch (params.method) {
        case 'taobao.tmc.messages.consume': {
          const open = inbox.filter((m) => !confirmed.has(/"id":(\d+)/.exec(m)![1]!));
          return [200, `{"tmc_messages_consume_response":{"messages":{"tmc_message":[${open.join(',')}]}}}`];
        }
        case 'taobao.tmc.messages.confirm':
          if (failConfirms > 0) {
            failConfirms--;
            return [502, 'bad gateway'];
          }
          for (const id of params.s_message_ids!.split(',')) confirmed.add(id);
          return [200, { tmc_messages_confirm_response: { is_success: true } }];
        case 'taobao.trade.fullinfo.get':
          return [200, `{"trade_fullinfo_get_response":{"trade":${tradeText(params.tid!)}}}`];
        default:
          return [200, { error_response: { code: 22, msg: 'Invalid method' } }];
      }
    });
  app = await startTestApp({ TAOBAO_APP_KEY: APP.key, TAOBAO_APP_SECRET: APP.secret, TAOBAO_API_URL: `${TOP}/router/rest`, TB_SESSION_HOME: 'session-home', ORDEROPS_CONFIG: CONFIG });
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
});
afterAll(async () => {
  await app.close();
  await db.end();
  restoreNet();
});

const order = async (tid: string) =>
  (await db.query<{ status: string; revision: number; data: { partial?: boolean; items: unknown[] } }>(`SELECT status, revision, data FROM orders WHERE source = 'taobao' AND external_id = $1`, [tid])).rows;

it('stores trade messages, confirms them after, and fetches each trade whole with the shop session', async () => {
  const tid = '3900000000000007001';
  inbox = [
    message('7001000000000000001', 'taobao_trade_TradeCreate', `{"buyer_nick":"b","payment":"128.50","oid":${tid},"tid":${tid},"type":"fixed","seller_nick":"${SHOP_NICK}"}`),
    message('7001000000000000002', 'taobao_trade_TradeBuyerPay', `{"buyer_nick":"b","payment":"128.50","oid":${tid},"tid":${tid},"status":"WAIT_SELLER_SEND_GOODS","seller_nick":"${SHOP_NICK}"}`),
    message('7001000000000000003', 'taobao_item_ItemAdd', '{"num_iid":1}'),
    message('7001000000000000004', 'taobao_trade_TradeBuyerPay', 'not json'),
  ];
  const whole = await eventually(async () => {
    const [o] = await order(tid);
    return o && o.data.items.length > 0 ? o : undefined;
  }, 20_000, 'the trade, whole');
  expect(whole.status).toBe('paid');
  expect(whole.data.partial).not.toBe(true);
  // Every message confirmed, the unreadable one kept for a person to look at.
  await eventually(async () => (confirmed.size === 4 ? true : undefined), 10_000, 'all four confirmed');
  const kept = await db.query(`SELECT reason FROM rejected_payloads WHERE source = 'taobao' AND body LIKE '%7001000000000000004%'`);
  expect(kept.rows).toEqual([{ reason: 'tmc_message' }]);

  const consume = calls.find((c) => c.params.method === 'taobao.tmc.messages.consume')!.params;
  expect(consume).toMatchObject({ app_key: APP.key, group_name: 'default', quantity: '50', sign_method: 'hmac-sha256' });
  expect(consume.session).toBeUndefined(); // the app's queue: no seller session
  expect(consume.sign).toBe(topSign(consume, APP.secret, 'hmac-sha256'));
  const fetches = calls.filter((c) => c.params.method === 'taobao.trade.fullinfo.get');
  expect(fetches.length).toBeGreaterThanOrEqual(1);
  expect(fetches[0]!.params).toMatchObject({ tid, session: 'session-home' });
  expect(fetches[0]!.params.sign).toBe(topSign(fetches[0]!.params, APP.secret, 'hmac-sha256'));
});

it('a batch whose confirm failed comes back and is stored once', async () => {
  const tid = '3900000000000007002';
  inbox = [message('7002000000000000001', 'taobao_trade_TradeBuyerPay', `{"payment":"10.00","tid":${tid},"status":"WAIT_SELLER_SEND_GOODS"}`)];
  failConfirms = 1; // the first confirm is lost: Taobao redelivers
  const deps = {
    pool: app.pool, intake: app.intake, queue: tmcQueue({ baseUrl: `${TOP}/router/rest`, appKey: APP.key, appSecret: APP.secret }, 'default', 50),
    rejectReason: 'tmc_message', logger: pino({ level: 'silent' }),
  };
  // Rounds of its own beside the scheduled ones: whichever round it is, the order is stored once.
  await drainMessageQueue(deps).catch(() => undefined);
  await drainMessageQueue(deps).catch(() => undefined);
  await eventually(async () => (confirmed.has('7002000000000000001') ? true : undefined), 10_000, 'the message confirmed at last');
  const rows = await order(tid);
  expect(rows).toHaveLength(1);
  const history = await db.query(`SELECT count(*)::int AS n FROM order_history h JOIN orders o ON o.id = h.order_id WHERE o.external_id = $1 AND h.to_status = 'paid' AND h.from_status IS NULL`, [tid]);
  expect(history.rows[0].n).toBe(1);
});
