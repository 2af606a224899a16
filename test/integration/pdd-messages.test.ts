import type { AddressInfo } from 'node:net';
import nock from 'nock';
import pg from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';
import { eventually, startTestApp, type TestApp } from '../helpers/test-app';
import { onlyLoopback, restoreNet } from '../helpers/loopback-only';
import { writeConfig } from '../helpers/config-file';
import { fixture } from '../unit/platforms/load-fixture';
import { pddMessageUrl, pddSign } from '../../src/integrations/platforms/pinduoduo/sign';

// Pinduoduo's message service, stood in for by a local WebSocket server: the bot connects with a
// signed URL, stores each message as a thin order, acknowledges it only after, fetches the order
// whole, and after a dropped connection takes the redelivered message once.
const CLIENT = { id: 'pdd-client-1', secret: 'pdd-secret' };
const PDD_API = 'https://pdd-gw.test';
const CONFIG = writeConfig(`
pdd_pmc: { enabled: true }
shops:
  - { id: pdd-home, source: pinduoduo, token_env: PDD_TOKEN_HOME, order_shop: "778899", reconcile: { enabled: false } }
`);

const base = fixture<Record<string, Record<string, unknown>>>('pinduoduo', 'orders.json')['grouped, paid, waiting to ship']!;
let server: WebSocketServer;
let app: TestApp;
let db: pg.Pool;
const paths: string[] = [];
const acks: Record<string, unknown>[] = [];
const sockets: WebSocket[] = [];
const apiCalls: Record<string, string>[] = [];
let onConnect: (ws: WebSocket, n: number) => void = () => undefined;

beforeAll(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  server.on('connection', (ws, req) => {
    paths.push(req.url ?? '');
    sockets.push(ws);
    ws.on('message', (d) => {
      // 19-digit ids: read the id from the text, as JSON.parse would round it.
      const text = d.toString();
      const f = JSON.parse(text) as Record<string, unknown>;
      if (f.commandType === 'Ack') acks.push({ ...f, id: /"id":"?(\d+)/.exec(text)?.[1] });
    });
    onConnect(ws, sockets.length);
  });
  onlyLoopback();
  nock(PDD_API)
    .persist()
    .post('/api/router')
    .reply((_uri, body) => {
      const params = Object.fromEntries(new URLSearchParams(String(body)));
      apiCalls.push(params);
      return [200, { order_info_get_response: { order_info: { ...base, order_sn: params.order_sn } } }];
    });
  const port = (server.address() as AddressInfo).port;
  app = await startTestApp({
    PDD_CLIENT_ID: CLIENT.id, PDD_CLIENT_SECRET: CLIENT.secret, PDD_MESSAGE_URL: `ws://127.0.0.1:${port}`, PDD_API_URL: `${PDD_API}/api/router`,
    PDD_TOKEN_HOME: 'pdd-token-home', ORDEROPS_CONFIG: CONFIG,
  });
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 4 });
});
afterAll(async () => {
  await app.close();
  await db.end();
  for (const s of sockets) s.terminate();
  await new Promise((r) => server.close(r));
  restoreNet();
});

const frame = (id: string, type: string, content: string) =>
  `{"id":${id},"commandType":"Common","time":1767873700000,"sendTime":1767873700001,"message":{"type":"${type}","mallID":778899,"content":${JSON.stringify(content)}}}`;
const order = async (sn: string) =>
  (await db.query<{ shop: string; status: string; data: { partial?: boolean; items: unknown[] } }>(`SELECT shop, status, data FROM orders WHERE source = 'pinduoduo' AND external_id = $1`, [sn])).rows;

it('connects with a signed URL, stores and acknowledges messages, and fetches each order whole', async () => {
  const sn = '260108-000000000000101';
  const ws = await eventually(async () => sockets[0], 10_000, 'the bot connecting');
  // The URL is /message/<client_id>/<timestamp_ms>/<sign> with the sign of that timestamp.
  const [, , clientId, ts] = paths[0]!.split('/');
  expect(clientId).toBe(CLIENT.id);
  expect(`ws://x${paths[0]}`).toBe(pddMessageUrl(CLIENT.id, Number(ts), CLIENT.secret, 'ws://x'));

  ws.send('{"commandType":"HeartBeat","time":1}');
  ws.send(frame('9001000000000000001', 'pdd_trade_TradeConfirmed', `{"tid":"${sn}","mall_id":778899}`));
  ws.send(frame('9001000000000000002', 'pdd_trade_TradeConfirmed', 'not json'));
  ws.send(frame('9001000000000000003', 'pdd_goods_GoodsChanged', '{"goods_id":1}'));

  const acked = await eventually(async () => (acks.length >= 3 ? acks : undefined), 10_000, 'three acks');
  expect(acked.map((a) => String(a.id)).sort()).toEqual(['9001000000000000001', '9001000000000000002', '9001000000000000003']);
  expect(acked.find((a) => String(a.id) === '9001000000000000001')).toMatchObject({ commandType: 'Ack', type: 'pdd_trade_TradeConfirmed', mallID: 778899, sendTime: 1767873700001 });

  const [stored] = await eventually(async () => {
    const rows = await order(sn);
    return rows[0] && rows[0].data.items.length > 0 ? rows : undefined;
  }, 20_000, 'the order, whole');
  expect(stored).toMatchObject({ shop: 'pdd-home', status: 'paid' });
  const fetch = apiCalls.find((c) => c.type === 'pdd.order.information.get')!;
  expect(fetch).toMatchObject({ order_sn: sn, client_id: CLIENT.id, access_token: 'pdd-token-home' });
  expect(fetch.sign).toBe(pddSign(fetch, CLIENT.secret));
  const kept = await db.query(`SELECT reason FROM rejected_payloads WHERE source = 'pinduoduo'`);
  expect(kept.rows).toEqual([{ reason: 'pmc_message' }]);
});

it('reconnects after the connection drops and stores the redelivered message once', async () => {
  const sn = '260108-000000000000202';
  const msg = frame('9002000000000000001', 'pdd_trade_TradeSellerShip', `{"tid":"${sn}"}`);
  const before = sockets.length;
  onConnect = (ws) => ws.send(msg); // PDD redelivers what was not acknowledged
  // The message arrives and the connection drops before its ack can be sent.
  sockets.at(-1)!.send(msg);
  sockets.at(-1)!.terminate();
  await eventually(async () => (sockets.length > before ? true : undefined), 10_000, 'the bot reconnecting');
  await eventually(async () => (acks.some((a) => String(a.id) === '9002000000000000001') ? true : undefined), 10_000, 'the redelivered message acknowledged');
  const rows = await order(sn);
  expect(rows).toHaveLength(1);
});
