import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import pg from 'pg';
import type { App } from '../../src/app';
import type { FeishuFront } from '../../src/bot/feishu/feishu-front';
import { feishuSignature } from '../../src/bot/feishu/feishu-verify';
import { writeConfig } from './config-file';
import { CARD_ACTION_BUTTON, MESSAGE_GROUP_AT } from './feishu-fixtures';

/** A Feishu app id of the shape the SDK's WSClient accepts. */
export const FS_APP_ID = 'cli_a1b2c3d4e5f60718';
export const FS_APP_SECRET = 'fs-test-secret';
export const FS_TOKEN = 'fs-verification-token';
export const FS_ENCRYPT_KEY = 'fs-encrypt-key';
export const FS_BOT_OPEN_ID = 'ou_fsbot0001';
export const FS_CHAT = { service: 'oc_fsservice', review: 'oc_fsreview', fallback: 'oc_fsfallback' };

/** Staff of the Feishu tests: ids and open_ids of their own, so other suites' staff never collide. */
export const FS_STAFF = {
  agent: { id: 'fs_agent', name: '张三', open: 'ou_fsagent' },
  agent2: { id: 'fs_agent2', name: '王五', open: 'ou_fsagent2', slack: 'U0FSAGENT2' },
  agent3: { id: 'fs_agent3', name: '赵六', open: 'ou_fsagent3' },
  sup: { id: 'fs_sup', name: '李四', open: 'ou_fssup' },
  rev: { id: 'fs_rev', name: '钱七', open: 'ou_fsrev' },
  mgr: { id: 'fs_mgr', name: '孙八', open: 'ou_fsmgr' },
  union: { id: 'fs_union', name: '周九', union: 'on_fsunion' },
};

export const FS_CONFIG = `
locale: zh-CN
timezone: Asia/Shanghai
teams:
  service: { name: 客服组, feishu_chat: ${FS_CHAT.service} }
  finance: { name: 财务组 }
  warehouse: { name: 仓储组 }
  review: { name: 审核组, feishu_chat: ${FS_CHAT.review} }
staff:
  - { id: fs_agent, name: 张三, role: agent, team: service, feishu: ou_fsagent }
  - { id: fs_agent2, name: 王五, role: agent, team: service, feishu: ou_fsagent2, slack: U0FSAGENT2 }
  - { id: fs_agent3, name: 赵六, role: agent, team: service, feishu: ou_fsagent3 }
  - { id: fs_sup, name: 李四, role: supervisor, team: service, feishu: ou_fssup }
  - { id: fs_rev, name: 钱七, role: supervisor, team: review, feishu: ou_fsrev }
  - { id: fs_mgr, name: 孙八, role: manager, feishu: ou_fsmgr, email: fs-mgr@example.com }
  - { id: fs_union, name: 周九, role: agent, team: service, feishu: on_fsunion }
`;

/** The app's environment for Feishu, with FEISHU_DOMAIN pointed at the stand-in. */
export function feishuEnv(stub: FeishuStub, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ORDEROPS_CONFIG: writeConfig(FS_CONFIG),
    FEISHU_APP_ID: FS_APP_ID,
    FEISHU_APP_SECRET: FS_APP_SECRET,
    FEISHU_VERIFICATION_TOKEN: FS_TOKEN,
    FEISHU_DOMAIN: stub.base,
    FEISHU_CHAT_ID: FS_CHAT.fallback,
    ...extra,
  };
}

export const feishuFront = (app: App): FeishuFront => app.fronts.find((f) => f.port.platform === 'feishu') as FeishuFront;

/**
 * A database of the test file's own, migrated from scratch: every app start syncs the staff table to
 * its config (deactivating everyone else) and sweeps the whole database for cards to post, so the
 * Feishu suites keep to themselves rather than race other suites over staff rows.
 */
/**
 * The database this test file works in. Every file already gets its own copy of the migrated
 * template (test/helpers/per-file-db.ts), so there is nothing to create or drop here.
 */
export async function ownFeishuDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  return { url: process.env.TEST_DATABASE_URL!, drop: async () => undefined };
}

/**
 * A pool for the test's own queries. Its idle connections are cut when the database is dropped
 * WITH (FORCE) at the end; without a listener that error would surface in the next test file.
 */
export function testPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  return pool;
}

/** AES-256-CBC as Feishu encrypts: key SHA-256(encrypt key), base64(random IV ‖ ciphertext). */
export function encryptFeishu(plain: string, encryptKey: string, iv: Buffer = randomBytes(16)): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const c = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, c.update(plain, 'utf8'), c.final()]).toString('base64');
}

export interface SendOptions {
  /** Wrap as {"encrypt": …} with this key. */
  encryptKey?: string;
  /** Sign with this key (X-Lark-Signature over the raw bytes). */
  signKey?: string;
  timestampSeconds?: number;
  signature?: string;
  /** Send these bytes instead of JSON.stringify(body). */
  raw?: string;
}

/** POST to /feishu/events the way Feishu does. */
export async function postFeishu(url: string, body: unknown, o: SendOptions = {}): Promise<{ status: number; json: any }> {
  let raw = o.raw ?? JSON.stringify(body);
  if (o.encryptKey) raw = JSON.stringify({ encrypt: encryptFeishu(raw, o.encryptKey) });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.signKey || o.signature) {
    const ts = String(o.timestampSeconds ?? Math.floor(Date.now() / 1000));
    const nonce = randomUUID();
    headers['x-lark-request-timestamp'] = ts;
    headers['x-lark-request-nonce'] = nonce;
    headers['x-lark-signature'] = o.signature ?? feishuSignature(ts, nonce, o.signKey!, raw);
  }
  const res = await fetch(`${url}/feishu/events`, { method: 'POST', headers, body: raw });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, json };
}

/** A card click built from the documented payload: our button value, this operator. */
export function cardClick(value: Record<string, unknown>, operator: { open: string; union?: string }, extra: { formValue?: Record<string, unknown>; messageId?: string; chatId?: string; token?: string } = {}) {
  const b = structuredClone(CARD_ACTION_BUTTON);
  b.header.event_id = `fs-ev-${randomUUID()}`;
  b.header.app_id = FS_APP_ID;
  b.header.token = extra.token ?? FS_TOKEN;
  b.event.operator.open_id = operator.open;
  b.event.operator.union_id = operator.union ?? 'on_someone';
  b.event.action.value = value;
  if (extra.formValue) (b.event.action as Record<string, unknown>).form_value = extra.formValue;
  if (extra.messageId) b.event.context.open_message_id = extra.messageId;
  if (extra.chatId) b.event.context.open_chat_id = extra.chatId;
  return b;
}

/** A group message built from the documented payload, mentioning the bot. */
export function groupMessage(text: string, o: { mentionBot?: boolean; senderType?: string; eventId?: string; sender?: string; p2p?: boolean } = {}) {
  const m = structuredClone(MESSAGE_GROUP_AT);
  m.header.event_id = o.eventId ?? `fs-ev-${randomUUID()}`;
  m.header.app_id = FS_APP_ID;
  m.header.token = FS_TOKEN;
  m.event.sender.sender_type = o.senderType ?? 'user';
  m.event.message.message_id = `om_fs${randomUUID().replace(/-/g, '')}`;
  m.event.message.chat_id = FS_CHAT.service;
  m.event.message.content = JSON.stringify({ text: `${o.mentionBot === false ? '' : '@_user_1 '}${text}` });
  m.event.message.mentions[0]!.id.open_id = o.mentionBot === false ? 'ou_someoneelse' : FS_BOT_OPEN_ID;
  m.event.message.mentions[0]!.name = 'orderops';
  if (o.sender) m.event.sender.sender_id.open_id = o.sender;
  if (o.p2p) m.event.message.chat_type = 'p2p';
  return m;
}

export interface Recorded {
  method: string;
  path: string;
  body: any;
  auth: string | undefined;
  at: number;
}

type Scripted = (r: Recorded) => [number, unknown, Record<string, string>?] | undefined;

const ROUTES: [string, RegExp, string][] = [
  ['POST', /^\/open-apis\/auth\/v3\/tenant_access_token\/internal$/, 'TOKEN'],
  ['POST', /^\/open-apis\/im\/v1\/messages\?/, 'SEND'],
  ['POST', /^\/open-apis\/im\/v1\/messages\/[^/]+\/reply$/, 'REPLY'],
  ['PATCH', /^\/open-apis\/im\/v1\/messages\/[^/]+\/urgent_(app|sms|phone)(\?|$)/, 'URGENT'],
  ['PATCH', /^\/open-apis\/im\/v1\/messages\/[^/?]+$/, 'PATCH'],
  ['GET', /^\/open-apis\/bot\/v3\/info$/, 'BOT'],
  ['POST', /^\/open-apis\/ephemeral\/v1\/send$/, 'EPHEMERAL'],
  ['POST', /^\/callback\/ws\/endpoint$/, 'WS_ENDPOINT'],
];

/**
 * A local stand-in of the Feishu Open API (FEISHU_DOMAIN points at it): tokens, message create /
 * reply / PATCH, 加急, bot info, the long connection's endpoint discovery. Every call is recorded;
 * `once` injects failures (429, revoked token …) before the default answer.
 *
 * A real HTTP server rather than nock: nock 14 shares one interceptor per process through the
 * node:http module, and a test file that ran earlier in the same Jest worker (the Slack fake API
 * leaves `disableNetConnect()` on) refuses every request that this file's nock would fake. Requests
 * to 127.0.0.1 pass every such leftover.
 */
export class FeishuStub {
  readonly calls: Recorded[] = [];
  readonly revokedTokens = new Set<string>();
  /** What the long connection's endpoint discovery answers (set by the WS test). */
  wsEndpoint: unknown = { code: 1000040343, msg: 'no gateway in this test' };
  base = '';
  private tokenSeq = 0;
  private msgSeq = 0;
  private scripts: Scripted[] = [];
  private server: Server | undefined;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        const route = ROUTES.find(([m, re]) => m === req.method && re.test(path));
        if (!route) {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 404, msg: `no route ${req.method} ${path}` }));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const auth = req.headers.authorization;
        const r: Recorded = { method: route[2], path, body: raw ? safeJson(raw) : undefined, auth, at: Date.now() };
        this.calls.push(r);
        const [status, body, headers] = this.answer(r);
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address() as { port: number };
    this.base = `http://127.0.0.1:${addr.port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Answer the next matching call this way (once). */
  once(match: (r: Recorded) => boolean, answer: [number, unknown, Record<string, string>?]): this {
    let used = false;
    this.scripts.push((r) => {
      if (used || !match(r)) return undefined;
      used = true;
      return answer;
    });
    return this;
  }

  of(method: string, pred: (r: Recorded) => boolean = () => true): Recorded[] {
    return this.calls.filter((c) => c.method === method && pred(c));
  }

  private answer(r: Recorded): [number, unknown, Record<string, string>?] {
    for (const s of this.scripts) {
      const a = s(r);
      if (a) return a;
    }
    if (r.method === 'TOKEN') return [200, { code: 0, msg: 'ok', tenant_access_token: `t-fs${++this.tokenSeq}`, expire: 7200 }];
    if (r.method === 'WS_ENDPOINT') return [200, this.wsEndpoint];
    const token = r.auth?.replace(/^Bearer /, '');
    if (!token || this.revokedTokens.has(token)) return [400, { code: 99991663, msg: 'Invalid access token for authorization. Please make a request with token attached.' }];
    switch (r.method) {
      case 'SEND': {
        const chatId = r.path.includes('receive_id_type=chat_id') ? r.body?.receive_id : 'oc_p2p';
        return [200, { code: 0, msg: 'success', data: { message_id: `om_fs${++this.msgSeq}`, chat_id: chatId, msg_type: r.body?.msg_type } }];
      }
      case 'REPLY':
        return [200, { code: 0, msg: 'success', data: { message_id: `om_fsr${++this.msgSeq}` } }];
      case 'EPHEMERAL':
        return [200, { code: 0, msg: 'success', data: { message_id: `om_fse${++this.msgSeq}` } }];
      case 'BOT':
        return [200, { code: 0, msg: 'ok', bot: { open_id: FS_BOT_OPEN_ID, app_name: 'orderops' } }];
      case 'URGENT':
        return [200, { code: 0, msg: 'success', data: { invalid_user_id_list: [] } }];
      default:
        return [200, { code: 0, msg: 'success', data: {} }];
    }
  }
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** The card JSON inside a recorded send/PATCH body. */
/** The card of a send, reply or patch (a JSON string in `content`) or of an ephemeral send (an object in `card`). */
export const cardOf = (r: Recorded): any => r.body.card ?? JSON.parse(r.body.content);
