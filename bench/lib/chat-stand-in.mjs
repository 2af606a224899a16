// A local stand-in of the Slack Web API (and of an SMS provider's webhook) that behaves like the
// real one where benches and fault drills need it:
//   - latency: every answer waits a random 50–150 ms (Slack's own processing time, roughly);
//   - rate limits: chat.postMessage 1 message/s per channel with a burst of 3 (Slack's "special"
//     limit), Tier 3 methods (chat.update, conversations.history, conversations.open) 50/min per
//     workspace with a burst of 20, as token buckets that forgive 100 ms of timing jitter; over the
//     limit it answers HTTP 429 with Retry-After (seconds) and the message is NOT posted;
//   - channels keep their messages (with metadata), so conversations.history finds a card whose
//     post answer was lost, as the bot's findCard expects;
//   - faults on demand: a share of calls answered 429, 503 (nothing happened) or 500 AFTER the
//     effect (the message was posted but the caller cannot know) — the ambiguous case.
// Every call is logged with its arrival time, answer and effect.
//
//   node bench/lib/chat-stand-in.mjs [port]     # by hand: SLACK_API_URL=http://127.0.0.1:<port>/api/
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const JSON_FIELDS = new Set(['blocks', 'metadata', 'view', 'attachments']);
const TIER3 = new Set(['chat.update', 'conversations.history', 'conversations.open']);
const EFFECTFUL = new Set(['chat.postMessage', 'chat.update']);

/** Milliseconds since the epoch with sub-millisecond resolution, on the same clock as Date.now(). */
export const nowMs = () => performance.timeOrigin + performance.now();

/** mulberry32: a seeded PRNG so a drill's faults can be replayed. */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A token bucket: `burst` at once, refilled at `perSec`. take() → 0 if allowed, else ms to wait. */
class Bucket {
  /** `toleranceMs`: a call that would be allowed that much later is let through (the long-run rate still holds). */
  constructor(burst, perSec, now, toleranceMs = 0) {
    this.burst = burst;
    this.perSec = perSec;
    this.tokens = burst;
    this.last = now;
    this.slack = (toleranceMs * perSec) / 1000;
  }
  take(now) {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.perSec) / 1000);
    this.last = now;
    if (this.tokens >= 1 - this.slack - 1e-6) {
      this.tokens -= 1;
      return 0;
    }
    return ((1 - this.tokens) / this.perSec) * 1000;
  }
}

/**
 * @param {object} o
 * @param {number} [o.port]
 * @param {[number, number]} [o.latencyMs]   uniform answer delay range
 * @param {{burst:number, perSec:number}} [o.postLimit]   chat.postMessage per channel
 * @param {{burst:number, perSec:number}} [o.tier3Limit]  per Tier 3 method, workspace-wide
 * @param {number} [o.toleranceMs]  a call at most this early is not refused (timing jitter; default 100)
 * @param {number} [o.seed]
 */
export async function startChatStandIn(o = {}) {
  const latency = o.latencyMs ?? [50, 150];
  const postLimit = o.postLimit ?? { burst: 3, perSec: 1 };
  const tier3Limit = o.tier3Limit ?? { burst: 20, perSec: 50 / 60 };
  const toleranceMs = o.toleranceMs ?? 100;
  const rnd = seeded(o.seed ?? 42);
  const calls = [];
  const sms = [];
  const channels = new Map(); // channel → messages [{ ts, text, metadata, threadTs, at }]
  const buckets = new Map();
  let faults = null; // { p429, p503, p500Applied, retryAfterSec }
  let seq = 0;
  const newTs = () => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;

  const limited = (key, limit, now) => {
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = new Bucket(limit.burst, limit.perSec, now, toleranceMs)));
    return b.take(now);
  };

  function effect(method, b, rec) {
    switch (method) {
      case 'chat.postMessage': {
        const ch = String(b.channel ?? '');
        if (!ch) return { ok: false, error: 'channel_not_found' };
        const ts = newTs();
        const msg = { ts, text: String(b.text ?? ''), metadata: b.metadata, threadTs: b.thread_ts ? String(b.thread_ts) : undefined, at: rec.at };
        if (!channels.has(ch)) channels.set(ch, []);
        channels.get(ch).push(msg);
        rec.ts = ts;
        rec.applied = true;
        return { ok: true, channel: ch, ts, message: { text: msg.text } };
      }
      case 'chat.update': {
        const msg = channels.get(String(b.channel))?.find((m) => m.ts === String(b.ts));
        if (!msg) return { ok: false, error: 'message_not_found' };
        msg.text = String(b.text ?? msg.text);
        if (b.metadata) msg.metadata = b.metadata;
        rec.applied = true;
        return { ok: true, channel: b.channel, ts: b.ts };
      }
      case 'conversations.history': {
        const all = channels.get(String(b.channel)) ?? [];
        const limit = Math.min(1000, Math.max(1, Number(b.limit ?? 100)));
        const withMeta = b.include_all_metadata === true || b.include_all_metadata === 'true';
        const top = [];
        for (let i = all.length - 1; i >= 0 && top.length < limit + 1; i--) {
          const m = all[i];
          if (m.threadTs && m.threadTs !== m.ts) continue; // replies live in their thread
          top.push({ type: 'message', ts: m.ts, text: m.text, ...(withMeta && m.metadata ? { metadata: m.metadata } : {}) });
        }
        return { ok: true, messages: top.slice(0, limit), has_more: top.length > limit };
      }
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(b.users ?? 'X').replace(/^U/, '')}` } };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: newTs() };
      case 'views.open':
        return { ok: true, view: { id: `V${++seq}` } };
      case 'auth.test':
        return { ok: true, user_id: 'U0STANDIN', bot_id: 'B0STANDIN', team_id: 'T0STANDIN' };
      default:
        return { ok: true };
    }
  }

  function handleApi(method, b) {
    const at = nowMs();
    const meta = b.metadata?.event_payload;
    const rec = {
      n: calls.length + 1,
      method,
      at,
      channel: b.channel !== undefined ? String(b.channel) : undefined,
      threadTs: b.thread_ts ? String(b.thread_ts) : undefined,
      cardKey: meta?.card_key,
      version: meta?.version,
      // A storm digest says how many exceptions it covers at this version.
      members: meta?.members,
      text: typeof b.text === 'string' ? b.text.slice(0, 300) : undefined,
      status: 200,
      ok: true,
      applied: false,
    };
    calls.push(rec);
    const reply = (status, body, headers = {}) => {
      rec.status = status;
      rec.ok = status === 200 && body.ok === true;
      if (body.error) rec.error = body.error;
      return { status, body, headers, rec };
    };
    // Injected faults first (an outage is an outage), then the platform's own rate limits.
    if (faults) {
      const r = rnd();
      if (r < faults.p429) {
        rec.fault = '429';
        return reply(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(faults.retryAfterSec ?? 2) });
      }
      if (r < faults.p429 + faults.p503) {
        rec.fault = '503';
        return reply(503, { ok: false, error: 'service_unavailable' });
      }
      if (r < faults.p429 + faults.p503 + faults.p500Applied && EFFECTFUL.has(method)) {
        rec.fault = '500-after-effect';
        effect(method, b, rec);
        return reply(500, { ok: false, error: 'internal_error' });
      }
    }
    let waitMs = 0;
    if (method === 'chat.postMessage') waitMs = limited(`post:${b.channel}`, postLimit, at);
    else if (TIER3.has(method)) waitMs = limited(`tier3:${method}`, tier3Limit, at);
    if (waitMs > 0) {
      rec.limited = true;
      return reply(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) });
    }
    const body = effect(method, b, rec);
    return reply(200, body);
  }

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const raw = Buffer.concat(chunks).toString('utf8');
      let out;
      if (req.method === 'GET' && url.pathname === '/calls') {
        out = { status: 200, body: calls, headers: {} };
      } else if (req.method === 'POST' && url.pathname === '/sms') {
        let b = {};
        try {
          b = JSON.parse(raw);
        } catch {
          // recorded as is
        }
        const id = `SM${sms.length + 1}`;
        sms.push({ at: nowMs(), id, to: b.to, text: b.text, params: b.params ?? {} });
        out = { status: 200, body: { ok: true, id }, headers: { 'x-message-id': id } };
      } else {
        const m = /^\/api\/([A-Za-z.]+)$/.exec(url.pathname);
        if (req.method !== 'POST' || !m) out = { status: 404, body: { ok: false, error: 'unknown_method' }, headers: {} };
        else out = handleApi(m[1], parseBody(raw, String(req.headers['content-type'] ?? '')));
      }
      const [lo, hi] = latency;
      const delay = url.pathname.startsWith('/api/') ? lo + rnd() * (hi - lo) : 5;
      setTimeout(() => {
        if (out.rec) out.rec.answeredAt = nowMs();
        const text = JSON.stringify(out.body);
        res.writeHead(out.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...out.headers });
        res.end(text);
      }, delay);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(o.port ?? 0, '127.0.0.1', resolve));
  const port = server.address().port;

  return {
    port,
    url: `http://127.0.0.1:${port}/api/`,
    smsUrl: `http://127.0.0.1:${port}/sms`,
    calls,
    sms,
    channels,
    /** Start answering a share of calls with faults: { p429, p503, p500Applied, retryAfterSec }. */
    setFaults(f) {
      faults = { p429: 0, p503: 0, p500Applied: 0, retryAfterSec: 2, ...f };
    },
    clearFaults() {
      faults = null;
    },
    /** Top-level card posts that took effect, by card key (what people see in the channels). */
    cardPosts() {
      const byKey = new Map();
      for (const c of calls) {
        if (c.method !== 'chat.postMessage' || !c.applied || c.threadTs || !c.cardKey) continue;
        if (!byKey.has(c.cardKey)) byKey.set(c.cardKey, []);
        byKey.get(c.cardKey).push(c);
      }
      return byKey;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

function parseBody(raw, contentType) {
  if (contentType.includes('application/json')) {
    try {
      return JSON.parse(raw);
    } catch {
      return { raw };
    }
  }
  const out = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if (JSON_FIELDS.has(k)) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // keep the string
      }
    }
    out[k] = v;
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = await startChatStandIn({ port: Number(process.argv[2] ?? 4599) });
  console.error(`chat stand-in: SLACK_API_URL=${s.url}  SMS_API_URL=${s.smsUrl}  (GET http://127.0.0.1:${s.port}/calls)`);
}
