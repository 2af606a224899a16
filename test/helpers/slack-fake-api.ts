import nock from 'nock';

export interface SlackCall {
  method: string;
  /** Form fields, with JSON fields (blocks, metadata, view) parsed. */
  body: Record<string, any>;
  /** What the fake answered. */
  status: number;
  response: any;
  /** When it was called (ms since the epoch). */
  at: number;
  /** A failed post that nevertheless landed in the channel (an ambiguous failure). */
  landed?: { ts: string };
}

type Reply = { status?: number; body: Record<string, unknown>; headers?: Record<string, string>; /** the post happened although the answer says otherwise */ landed?: boolean };
type Override = { method: string; when: (body: Record<string, any>) => boolean; times: number; reply: (body: Record<string, any>) => Reply };

const JSON_FIELDS = ['blocks', 'metadata', 'view', 'attachments'];

/**
 * The Slack Web API faked with nock (v14 sees fetch, which @slack/web-api 8 uses). Every call is
 * recorded; each method answers like Slack does (`ok`, a fresh `ts`, …) unless a test overrides
 * the next answers (a 429, an error). conversations.history returns the cards posted so far.
 */
export function fakeSlackApi(base = 'https://slack.com') {
  const calls: SlackCall[] = [];
  const overrides: Override[] = [];
  let n = 0;
  const nextTs = () => `${1767225600 + Math.floor(n / 1000)}.${String(++n).padStart(6, '0')}`;

  const defaults = (method: string, b: Record<string, any>): Reply => {
    switch (method) {
      case 'chat.postMessage':
        return { body: { ok: true, channel: b.channel, ts: nextTs(), message: { text: b.text } } };
      case 'chat.update':
        return { body: { ok: true, channel: b.channel, ts: b.ts } };
      case 'chat.postEphemeral':
        return { body: { ok: true, message_ts: nextTs() } };
      case 'conversations.open':
        return { body: { ok: true, channel: { id: `D${String(b.users).slice(1)}` } } };
      case 'conversations.history': {
        const messages = calls
          .filter((c) => c.method === 'chat.postMessage' && (c.response?.ok || c.landed) && c.body.channel === b.channel)
          .map((c) => ({ type: 'message', ts: c.landed?.ts ?? c.response.ts, text: c.body.text, metadata: c.body.metadata }))
          .reverse();
        return { body: { ok: true, messages, has_more: false } };
      }
      case 'views.open':
        return { body: { ok: true, view: { id: `V${++n}`, hash: `${n}.abc` } } };
      case 'auth.test':
        // The workspace and app of the fixtures (T111, A111): requests naming others are refused.
        return { body: { ok: true, url: 'https://orderops-test.slack.com/', team: 'orderops test', user: 'orderops', team_id: 'T111', user_id: 'U0BOT', bot_id: 'B0BOT', app_id: 'A111' } };
      default:
        return { body: { ok: true } };
    }
  };

  const scope = nock(base)
    .persist()
    .post(/^\/api\/[A-Za-z.]+$/)
    .reply((uri, requestBody) => {
      const method = uri.replace(/^\/api\//, '');
      const body = parseBody(requestBody);
      const i = overrides.findIndex((o) => o.method === method && o.when(body));
      let reply: Reply;
      if (i >= 0) {
        const o = overrides[i]!;
        reply = o.reply(body);
        if (--o.times <= 0) overrides.splice(i, 1);
      } else reply = defaults(method, body);
      const status = reply.status ?? 200;
      calls.push({ method, body, status, response: reply.body, at: Date.now(), ...(reply.landed ? { landed: { ts: nextTs() } } : {}) });
      return [status, reply.body, { 'content-type': 'application/json', ...reply.headers }];
    });

  return {
    calls,
    /** Answer the next `times` calls of `method` (matching `when`) with `reply` instead. */
    override(method: string, reply: (body: Record<string, any>) => Reply, opts: { times?: number; when?: (body: Record<string, any>) => boolean } = {}) {
      overrides.push({ method, reply, times: opts.times ?? 1, when: opts.when ?? (() => true) });
    },
    of(method: string, where: (c: SlackCall) => boolean = () => true): SlackCall[] {
      return calls.filter((c) => c.method === method && where(c));
    },
    /** Successful card posts of one exception. */
    cardPosts(exceptionId: number): SlackCall[] {
      return calls.filter((c) => c.method === 'chat.postMessage' && c.status === 200 && c.response?.ok && c.body.metadata?.event_payload?.card_key === `exception:${exceptionId}`);
    },
    cardUpdates(exceptionId: number): SlackCall[] {
      return calls.filter((c) => c.method === 'chat.update' && c.body.metadata?.event_payload?.card_key === `exception:${exceptionId}`);
    },
    ephemeralsTo(userId: string): SlackCall[] {
      return calls.filter((c) => c.method === 'chat.postEphemeral' && c.body.user === userId);
    },
    done() {
      scope.persist(false);
      nock.cleanAll();
      // nock's interceptor is shared by every file this worker runs: leave the network as found.
      nock.enableNetConnect();
    },
  };
}

export type FakeSlackApi = ReturnType<typeof fakeSlackApi>;

function parseBody(raw: unknown): Record<string, any> {
  const out: Record<string, any> = {};
  if (raw && typeof raw === 'object') return raw as Record<string, any>;
  for (const [k, v] of new URLSearchParams(String(raw ?? ''))) {
    if (JSON_FIELDS.includes(k)) {
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

/** Let the test app reach itself (and Postgres/Redis, which nock never sees) but nothing else. */
export function onlyLocalNetwork(): void {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost'));
}
