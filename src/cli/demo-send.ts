import { signBody, SIGNATURE_HEADER } from '../integrations/platforms/generic/signature';
import type { StormOrder, StormPush } from './demo-storm';

export interface SendOptions {
  url: string;
  secret: string;
  orders: StormOrder[];
  pushes: StormPush[];
  speed: number;
  /** Most requests open at once (a platform's push workers are finite too). */
  maxInFlight?: number;
  /** Give up retrying an order after this long past the end of the schedule. */
  graceMs?: number;
  onProgress?: (p: SendProgress) => void;
  /** Stop early (Ctrl-C): unsent orders are reported as not acknowledged. */
  signal?: AbortSignal;
}

export interface SendProgress {
  sent: number;
  pushes: number;
  acked: number;
  retries: number;
  failed: number;
  /** Requests sent in the last second, and the most in any second so far. */
  rate: number;
  peak: number;
}

export interface SendResult {
  requests: number;
  duplicatePushes: number;
  retries: number;
  /** Order ids answered 2xx (committed), each once. */
  acked: Set<string>;
  results: Record<string, number>;
  /** Order ids never answered 2xx: refused (4xx) or given up after retries. */
  notAcked: { id: string; status: number | 'network'; message: string }[];
  statusCounts: Record<string, number>;
  peakSentPerSecond: number;
  elapsedMs: number;
  /** Set when the bot refused the demo itself (wrong or missing secret): nothing else was tried. */
  fatal?: string;
}

const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Push the storm like a shop platform: one signed request per order at its scheduled time
 * (compressed by `speed`), retrying what was not acknowledged — network errors, 408/429/5xx with
 * backoff, honouring Retry-After — and never retrying a 4xx refusal. Bounded: retries stop
 * `graceMs` after the schedule ends.
 */
export async function sendStorm(o: SendOptions): Promise<SendResult> {
  const started = Date.now();
  const endMs = (o.pushes.at(-1)?.atMs ?? 0) / o.speed;
  const deadline = started + endMs + (o.graceMs ?? 60_000);
  const maxInFlight = o.maxInFlight ?? 256;
  const out: SendResult = {
    requests: 0, duplicatePushes: 0, retries: 0, acked: new Set(), results: {}, notAcked: [], statusCounts: {},
    peakSentPerSecond: 0, elapsedMs: 0,
  };
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  const lastFailure = new Map<string, { status: number | 'network'; message: string }>();
  const window: number[] = [];
  let inFlight = 0;
  let slot: (() => void) | undefined;
  const report = () => {
    const now = Date.now();
    while (window.length > 0 && window[0]! <= now - 1000) window.shift();
    o.onProgress?.({
      sent: out.requests, pushes: o.pushes.length, acked: out.acked.size, retries: out.retries,
      failed: out.notAcked.length, rate: window.length, peak: out.peakSentPerSecond,
    });
  };
  const ticker = setInterval(report, 250);

  const post = async (order: StormOrder): Promise<{ status: number | 'network'; retryAfterMs?: number; result?: string; message: string }> => {
    const body = JSON.stringify(order.body);
    out.requests++;
    const now = Date.now();
    window.push(now);
    while (window[0]! <= now - 1000) window.shift();
    out.peakSentPerSecond = Math.max(out.peakSentPerSecond, window.length);
    try {
      const res = await fetch(`${o.url}/webhooks/orders/generic`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(o.secret, body), 'user-agent': 'orderops-demo' },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      out.statusCounts[res.status] = (out.statusCounts[res.status] ?? 0) + 1;
      let json: { orders?: { result?: string }[]; message?: string } = {};
      try {
        json = JSON.parse(text) as typeof json;
      } catch {
        json = {};
      }
      const code = (json as { error?: string }).error;
      if (res.status === 401 || code === 'orderops_secret_not_configured') {
        out.fatal ??= res.status === 401
          ? `the bot refused the signature (${json.message ?? res.status}): run the demo with the same ORDER_WEBHOOK_SECRET as the bot`
          : 'the bot has no ORDER_WEBHOOK_SECRET: restart it with one (e.g. ORDER_WEBHOOK_SECRET=orderops-dev-secret npm start) and run the demo with the same value';
        stop.abort();
      }
      const ra = Number(res.headers.get('retry-after'));
      return { status: res.status, retryAfterMs: Number.isFinite(ra) && ra > 0 ? ra * 1000 : undefined, result: json.orders?.[0]?.result, message: json.message ?? text.slice(0, 200) };
    } catch (e) {
      out.statusCounts.network = (out.statusCounts.network ?? 0) + 1;
      return { status: 'network', message: (e as Error).message };
    }
  };

  const deliver = async (push: StormPush): Promise<void> => {
    const order = o.orders[push.index]!;
    const id = String(order.body.id);
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) out.retries++;
      const r = await post(order);
      if (typeof r.status === 'number' && r.status >= 200 && r.status < 300) {
        out.acked.add(id);
        if (r.result) out.results[r.result] = (out.results[r.result] ?? 0) + 1;
        lastFailure.delete(id);
        return;
      }
      lastFailure.set(id, { status: r.status, message: r.message });
      const retryable = r.status === 'network' || RETRYABLE.has(r.status);
      const wait = Math.min(r.retryAfterMs ?? 200 * 2 ** Math.min(attempt, 6), 10_000) * (0.75 + Math.random() * 0.5);
      if (!retryable || Date.now() + wait > deadline || signal.aborted) return;
      await sleep(wait, signal);
    }
  };

  const running = new Set<Promise<void>>();
  for (const push of o.pushes) {
    if (signal.aborted) break;
    const due = started + push.atMs / o.speed;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait, signal);
    if (signal.aborted) break;
    while (inFlight >= maxInFlight) await new Promise<void>((r) => (slot = r));
    if (push.duplicate) out.duplicatePushes++;
    inFlight++;
    const p = deliver(push).finally(() => {
      inFlight--;
      running.delete(p);
      const s = slot;
      slot = undefined;
      s?.();
    });
    running.add(p);
  }
  await Promise.all(running);
  clearInterval(ticker);

  for (const order of o.orders) {
    const id = String(order.body.id);
    if (out.acked.has(id)) continue;
    const f = lastFailure.get(id);
    out.notAcked.push({ id, status: f?.status ?? 'network', message: f?.message ?? 'not sent (stopped)' });
  }
  out.elapsedMs = Date.now() - started;
  report();
  return out;
}
