/**
 * A tiny local stand-in of the Slack Web API, for running the bot by hand without Slack: it
 * records every call (GET /calls lists them; each is also printed as a line) and answers like
 * Slack (`ok: true`, a fresh `ts` for each message).
 *
 *   npx tsc -p tsconfig.json --outDir /tmp/oo && ln -sfn "$PWD/node_modules" /tmp/oo/node_modules
 *   node /tmp/oo/test/helpers/slack-stand-in.js 4599
 *   SLACK_API_URL=http://127.0.0.1:4599/api/ SLACK_BOT_TOKEN=xoxb-local SLACK_SIGNING_SECRET=… npm start
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInCall {
  method: string;
  body: Record<string, unknown>;
  at: string;
}

export interface SlackStandIn {
  url: string;
  calls: StandInCall[];
  close(): Promise<void>;
}

const JSON_FIELDS = new Set(['blocks', 'metadata', 'view', 'attachments']);

export async function startSlackStandIn(port = 0, log: (line: string) => void = () => undefined): Promise<SlackStandIn> {
  const calls: StandInCall[] = [];
  let n = 0;
  const ts = () => `${Math.floor(Date.now() / 1000)}.${String(++n).padStart(6, '0')}`;

  const answer = (method: string, b: Record<string, any>): Record<string, unknown> => {
    switch (method) {
      case 'chat.postMessage':
        return { ok: true, channel: b.channel, ts: ts(), message: { text: b.text } };
      case 'chat.update':
        return { ok: true, channel: b.channel, ts: b.ts };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: ts() };
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(b.users ?? 'X').slice(1)}` } };
      case 'conversations.history':
        return { ok: true, messages: [], has_more: false };
      case 'views.open':
        return { ok: true, view: { id: `V${++n}` } };
      case 'auth.test':
        return { ok: true, user_id: 'U0STANDIN', bot_id: 'B0STANDIN', team_id: 'T0STANDIN', app_id: 'A0STANDIN' };
      default:
        return { ok: true };
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      if (req.method === 'GET' && url.pathname === '/calls') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(calls, null, 2));
        return;
      }
      const m = /^\/api\/([A-Za-z.]+)$/.exec(url.pathname);
      if (req.method !== 'POST' || !m) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: 'unknown_method' }));
        return;
      }
      const method = m[1]!;
      const body = parseBody(Buffer.concat(chunks).toString('utf8'), String(req.headers['content-type'] ?? ''));
      const call = { method, body, at: new Date().toISOString() };
      calls.push(call);
      log(JSON.stringify(call));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer(method, body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}/api/`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) {
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return { raw };
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if (JSON_FIELDS.has(k)) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        /* keep the string */
      }
    }
    out[k] = v;
  }
  return out;
}

if (require.main === module) {
  const port = Number(process.argv[2] ?? 4599);
  void startSlackStandIn(port, (line) => console.log(line)).then((s) => console.error(`Slack stand-in listening: SLACK_API_URL=${s.url}  (GET ${s.url.replace(/api\/$/, '')}calls)`));
}
