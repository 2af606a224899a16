// A shop platform pushing signed orders: each push at its scheduled time, and every push that is
// not answered 2xx (any non-2xx, a refused or reset connection, a timeout) retried with the same
// body and the same id — exponential backoff with jitter, Retry-After honoured — until it is
// acknowledged or the retry deadline passes. The ack log says which ids were acknowledged and when.
import http from 'node:http';
import { BENCH_SECRET, WEBHOOK_PATH, sign } from './orders.mjs';
import { nowMs, seeded } from './chat-stand-in.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {object} o
 * @param {string} o.host   127.0.0.1
 * @param {number} o.port
 * @param {number} [o.maxInFlight]  open requests at most (a platform's push workers are finite)
 * @param {number} [o.timeoutMs]    per attempt
 */
export function createSender({ host = '127.0.0.1', port, secret = BENCH_SECRET, maxInFlight = 256, timeoutMs = 10_000, firstBackoffMs = 250, maxBackoffMs = 4000, seed = 11 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlight });
  const rnd = seeded(seed);
  /** id → { firstSentAt, ackedAt, acks, attempts, statuses, result } */
  const log = new Map();
  const statusCounts = {};
  let inFlight = 0;
  let waiters = [];
  let stopped = false;
  let attemptsTotal = 0;

  const acquire = async () => {
    while (inFlight >= maxInFlight) await new Promise((r) => waiters.push(r));
    inFlight++;
  };
  const release = () => {
    inFlight--;
    const w = waiters;
    waiters = [];
    for (const r of w) r();
  };

  function attempt(body, headers) {
    return new Promise((resolve) => {
      const req = http.request({ host, port, path: WEBHOOK_PATH, method: 'POST', agent, headers, timeout: timeoutMs }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8'), retryAfter: res.headers['retry-after'] }));
        res.on('error', (e) => resolve({ status: 'network', text: e.message }));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => resolve({ status: e.message === 'timeout' ? 'timeout' : 'network', text: e.code ?? e.message }));
      req.end(body);
    });
  }

  async function push(id, body, retryUntil) {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-orderops-signature': sign(body, secret) };
    let entry = log.get(id);
    if (!entry) log.set(id, (entry = { firstSentAt: undefined, ackedAt: undefined, acks: 0, attempts: 0, statuses: {}, result: undefined }));
    for (let n = 1; ; n++) {
      await acquire();
      const sentAt = nowMs();
      entry.firstSentAt ??= sentAt;
      entry.attempts++;
      attemptsTotal++;
      let r;
      try {
        r = await attempt(body, headers);
      } finally {
        release();
      }
      const key = String(r.status);
      entry.statuses[key] = (entry.statuses[key] ?? 0) + 1;
      statusCounts[key] = (statusCounts[key] ?? 0) + 1;
      if (typeof r.status === 'number' && r.status >= 200 && r.status < 300) {
        entry.acks++;
        entry.ackedAt ??= nowMs();
        entry.result = /"result":"(\w+)"/.exec(r.text)?.[1] ?? entry.result;
        return true;
      }
      if (stopped || nowMs() > retryUntil) return false;
      const ra = Number(r.retryAfter);
      const backoff = Math.min(maxBackoffMs, firstBackoffMs * 2 ** (n - 1)) * (0.5 + rnd() * 0.5);
      await sleep(Number.isFinite(ra) && ra > 0 ? Math.min(5000, ra * 1000) : backoff);
    }
  }

  return {
    log,
    statusCounts,
    inFlight: () => inFlight,
    /**
     * Push `plan` ([{ atMs, id, body }], sorted) starting now; resolves when every push is acked or
     * given up (`retryForMs` after the schedule ends). `onTick(elapsedMs)` is called every ~100 ms.
     */
    async run(plan, { retryForMs = 60_000, onTick } = {}) {
      const t0 = nowMs();
      const endMs = plan.length ? plan[plan.length - 1].atMs : 0;
      const retryUntil = t0 + endMs + retryForMs;
      const pending = [];
      let i = 0;
      let lastTick = 0;
      while (i < plan.length && !stopped) {
        const elapsed = nowMs() - t0;
        while (i < plan.length && plan[i].atMs <= elapsed) {
          const p = plan[i++];
          pending.push(push(p.id, p.body, retryUntil));
        }
        if (onTick && elapsed - lastTick >= 100) {
          lastTick = elapsed;
          onTick(elapsed);
        }
        await sleep(Math.max(1, Math.min(10, (plan[i]?.atMs ?? elapsed) - elapsed)));
      }
      const ticker = onTick ? setInterval(() => onTick(nowMs() - t0), 100) : undefined;
      const results = await Promise.all(pending);
      if (ticker) clearInterval(ticker);
      agent.destroy();
      return {
        pushes: plan.length,
        ids: log.size,
        acked: [...log.values()].filter((e) => e.acks > 0).length,
        givenUp: results.filter((x) => !x).length,
        attempts: attemptsTotal,
        statusCounts,
        elapsedMs: nowMs() - t0,
      };
    },
    stop() {
      stopped = true;
    },
    ackedIds() {
      return [...log.entries()].filter(([, e]) => e.acks > 0).map(([id]) => id);
    },
  };
}
