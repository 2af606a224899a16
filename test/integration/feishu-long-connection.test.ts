import pg from 'pg';
import protobuf from 'protobufjs';
import { eventually, genericOrder, postOrders, startTestApp, type TestApp } from '../helpers/test-app';
import { cardClick, feishuEnv, FeishuStub, FS_APP_ID, FS_APP_SECRET, FS_STAFF, ownFeishuDatabase, testPool } from '../helpers/feishu';

/**
 * The real SDK WSClient against a local stand-in of Feishu's long-connection gateway: endpoint
 * discovery over HTTP (the Open API stand-in), then protobuf frames over a WebSocket (the `ws` package the SDK
 * itself depends on). The frame schema is pbbp2.Frame as in the SDK's ws-client.
 */
interface WsSocket {
  on(event: 'message', cb: (data: Buffer) => void): void;
  send(data: Uint8Array): void;
  terminate(): void;
}
interface WsServer {
  on(event: 'connection', cb: (s: WsSocket) => void): void;
  once(event: 'listening', cb: () => void): void;
  address(): { port: number };
  close(cb?: () => void): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { WebSocketServer } = require('ws') as { WebSocketServer: new (o: { host: string; port: number }) => WsServer };

const root = protobuf.Root.fromJSON({
  nested: {
    pbbp2: {
      nested: {
        Header: { fields: { key: { rule: 'required', type: 'string', id: 1 }, value: { rule: 'required', type: 'string', id: 2 } } },
        Frame: {
          fields: {
            SeqID: { rule: 'required', type: 'uint64', id: 1 },
            LogID: { rule: 'required', type: 'uint64', id: 2 },
            service: { rule: 'required', type: 'int32', id: 3 },
            method: { rule: 'required', type: 'int32', id: 4 },
            headers: { rule: 'repeated', type: 'Header', id: 5 },
            payloadEncoding: { type: 'string', id: 6 },
            payloadType: { type: 'string', id: 7 },
            payload: { type: 'bytes', id: 8 },
            LogIDNew: { type: 'string', id: 9 },
          },
        },
      },
    },
  },
});
const Frame = root.lookupType('pbbp2.Frame');
interface DecodedFrame {
  method: number;
  headers: { key: string; value: string }[];
  payload?: Uint8Array;
}

let app: TestApp;
let db: pg.Pool;
let server: WsServer;
let socket: WsSocket | undefined;
const sockets: WsSocket[] = [];
const answers: DecodedFrame[] = [];
let stub: FeishuStub;
let own: Awaited<ReturnType<typeof ownFeishuDatabase>>;

beforeAll(async () => {
  stub = await new FeishuStub().start();
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server.once('listening', r));
  server.on('connection', (s) => {
    socket = s;
    sockets.push(s);
    s.on('message', (data) => {
      const f = Frame.toObject(Frame.decode(data), { longs: Number }) as DecodedFrame;
      if (f.method === 1) answers.push(f); // data frames: the client's answers (control frames are pings)
    });
  });
  const port = server.address().port;
  stub.wsEndpoint = {
    code: 0,
    msg: 'ok',
    data: { URL: `ws://127.0.0.1:${port}/ws?device_id=dev1&service_id=7`, ClientConfig: { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30 } },
  };
  own = await ownFeishuDatabase();
  db = testPool(own.url);
  app = await startTestApp(feishuEnv(stub, { FEISHU_LONG_CONNECTION: '1', DATABASE_URL: own.url }));
});
afterAll(async () => {
  await app?.close();
  for (const s of sockets) s.terminate();
  await new Promise<void>((r) => server.close(() => r()));
  await db.end();
  await own.drop();
  await stub.close();
}, 60_000);

function eventFrame(messageId: string, body: unknown): Uint8Array {
  const headers = [
    { key: 'type', value: 'event' },
    { key: 'message_id', value: messageId },
    { key: 'sum', value: '1' },
    { key: 'seq', value: '0' },
    { key: 'trace_id', value: `trace-${messageId}` },
  ];
  return Frame.encode(Frame.fromObject({ SeqID: 1, LogID: 1, service: 7, method: 1, headers, payload: Buffer.from(JSON.stringify(body)) })).finish();
}

/** The SDK's ack frame carries `{code, data: base64(JSON of the handler's answer)}`. */
function answerOf(messageId: string): { code: number; body: any } | undefined {
  const f = answers.find((a) => a.headers.some((h) => h.key === 'message_id' && h.value === messageId));
  if (!f?.payload) return undefined;
  const ack = JSON.parse(Buffer.from(f.payload).toString('utf8')) as { code: number; data?: string };
  return { code: ack.code, body: ack.data ? JSON.parse(Buffer.from(ack.data, 'base64').toString('utf8')) : undefined };
}

it('connects with the app credentials and handles a card click from a frame, answering in the ack', async () => {
  await eventually(async () => socket, 10_000, 'the long connection');
  expect(stub.of('WS_ENDPOINT')[0]!.body).toEqual({ AppID: FS_APP_ID, AppSecret: FS_APP_SECRET });

  const order = genericOrder({ address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' } });
  await postOrders(app.url, order);
  const ex = await eventually(async () => {
    const r = await db.query(`SELECT e.id::int AS id, e.version FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE o.external_id = $1 AND e.type = 'vague_address'`, [order.id]);
    return r.rows[0] as { id: number; version: number } | undefined;
  });
  const click = cardClick({ orderops: 'exception', action: 'exception.claim', exception_id: ex.id, version: ex.version }, { open: FS_STAFF.agent3.open });
  socket!.send(eventFrame('frame-1', click));
  const answer = await eventually(async () => answerOf('frame-1'), 10_000, 'the ack frame');
  expect(answer.code).toBe(200);
  expect(answer.body.toast.type).toBe('success');
  expect(answer.body.card.data.schema).toBe('2.0');
  const row = (await db.query('SELECT status, assignee FROM exceptions WHERE id = $1', [ex.id])).rows[0];
  expect(row).toEqual({ status: 'claimed', assignee: FS_STAFF.agent3.id });

  // The same event again over the socket: acknowledged, nothing done twice.
  socket!.send(eventFrame('frame-2', click));
  const again = await eventually(async () => answerOf('frame-2'), 10_000, 'the second ack');
  expect(again).toEqual({ code: 200, body: undefined });
  const n = (await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE entity = 'exception' AND entity_id = $1 AND action = 'exception.claim'`, [ex.id])).rows[0].n;
  expect(n).toBe(1);
});
