import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Presets, SingleBar } from 'cli-progress';
import pg from 'pg';
import { readConfig } from '../config';
import { isLoopbackHost } from '../bot/local/local-mode';
import { sendStorm, type SendResult } from './demo-send';
import { prepareStock, readBackFromApi, readBackFromDb, stockFollower, summarize, type ReadBack } from './demo-report';
import { DEMO_SKU, DEMO_STOCK, peakPerSecond, stormOrders, stormPushes } from './demo-storm';

export interface DemoOptions {
  url: string;
  secret: string;
  speed: number;
  orders: number;
  seed: number;
  /** Seconds to wait, after the last push, for the bot to process the orders and post the cards. */
  waitSeconds: number;
  databaseUrl?: string;
  apiToken?: string;
  setStock: boolean;
  /** Units of the lamp really available (the article: 417 of the 500 announced). */
  stock?: number;
  /** Progress on a TTY as a bar; elsewhere a line every few seconds; nothing when quiet. */
  progress: 'bar' | 'lines' | 'none';
  print: (line: string) => void;
  signal?: AbortSignal;
}

export interface DemoOutcome {
  ok: boolean;
  send: SendResult;
  readBack: ReadBack | { error: string };
  missing: string[];
  lines: string[];
}

export const DEMO_HELP = `orderops demo — replay the live-stream storm of the source article against a running bot

Usage: orderops demo [--url http://127.0.0.1:3000] [--speed N] [--orders 500] [--stock 417] [--seed N] [--wait 60] [--skip-stock]

  --url      the running bot (loopback only; default http://127.0.0.1:$PORT)
  --speed    compress time: 1 = real time (about 5 minutes, peak above 60 orders/s), 4 = four times faster
  --orders   how many orders (default 500, the article's limited run)
  --wait     seconds to wait for processing and cards after the last push (default 60)
  --stock    units of ${DEMO_SKU} really available (default ${DEMO_STOCK}: 83 of the 500 had gone to other channels)
  --skip-stock  do not touch ${DEMO_SKU}'s stock in the database (no stock_out then)

Needs the bot's ORDER_WEBHOOK_SECRET (orders are signed like a platform's) and, to read back what
was stored, its DATABASE_URL (or ORDEROPS_API_TOKEN for the read API). Example:
  export ORDER_WEBHOOK_SECRET=orderops-dev-secret
  npm start                      # one terminal
  npm run demo -- --speed 4      # another`;

/** `orderops demo …`: exit code 0 when every acknowledged order is stored, 1 otherwise. */
export async function demoCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      speed: { type: 'string', default: '1' },
      orders: { type: 'string', default: '500' },
      seed: { type: 'string', default: '20260108' },
      wait: { type: 'string', default: '60' },
      stock: { type: 'string', default: String(DEMO_STOCK) },
      'skip-stock': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(DEMO_HELP);
    return 0;
  }
  const config = readConfig();
  const num = (name: string, v: string, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}, got "${v}"`);
    return n;
  };
  try {
    const url = (values.url ?? `http://127.0.0.1:${config.port || 3000}`).replace(/\/+$/, '');
    checkUrl(url);
    if (!config.webhookSecret) {
      throw new UsageError('set ORDER_WEBHOOK_SECRET to the bot\'s secret: the demo signs its orders like a platform (e.g. export ORDER_WEBHOOK_SECRET=orderops-dev-secret before npm start and npm run demo)');
    }
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    const outcome = await runDemo({
      url,
      secret: config.webhookSecret,
      speed: num('speed', values.speed!, 0.1, 100),
      orders: Math.round(num('orders', values.orders!, 1, 5000)),
      seed: Math.round(num('seed', values.seed!, 0, 2 ** 31)),
      waitSeconds: num('wait', values.wait!, 0, 600),
      databaseUrl: config.databaseUrl,
      apiToken: config.apiToken,
      setStock: !values['skip-stock'],
      stock: Math.round(num('stock', values.stock!, 0, 1_000_000)),
      progress: process.stdout.isTTY ? 'bar' : 'lines',
      print: (l) => console.log(l),
      signal: controller.signal,
    });
    process.off('SIGINT', onSigint);
    return outcome.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
}

class UsageError extends Error {}

function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--url is not a URL: "${url}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError('--url must be http(s)');
  // A storm is load: it only ever goes to this machine.
  if (!isLoopbackHost(u.hostname)) throw new UsageError(`--url must be on this machine (127.0.0.1, localhost or ::1), got ${u.hostname}`);
}

export async function runDemo(o: DemoOptions): Promise<DemoOutcome> {
  checkUrl(o.url);
  const health = await fetch(`${o.url}/healthz`, { signal: AbortSignal.timeout(3000) }).then((r) => r.ok, () => false);
  if (!health) throw new UsageError(`no bot answers at ${o.url}: start it first (npm start), with the same ORDER_WEBHOOK_SECRET`);
  const page = await fetch(`${o.url}/`, { signal: AbortSignal.timeout(3000) }).then((r) => r.ok && (r.headers.get('content-type') ?? '').startsWith('text/html'), () => false);
  const pageUrl = page ? `${o.url}/` : undefined;

  const db = o.databaseUrl ? await connect(o.databaseUrl) : undefined;
  const stockUnits = o.stock ?? DEMO_STOCK;
  let stock: string = 'skipped';
  let hasReserved = false;
  if (o.setStock) {
    if (!db) stock = 'no database access';
    else {
      try {
        ({ hasReserved } = await prepareStock(db, stockUnits));
        stock = 'set';
      } catch (e) {
        stock = (e as Error).message;
      }
    }
  }
  const runId = `${new Date().toISOString().slice(2, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex').toUpperCase()}`;
  const orders = stormOrders({ n: o.orders, runId, seed: o.seed, startMs: Date.now(), speed: o.speed });
  const pushes = stormPushes(orders, o.seed);
  const follower = db && stock === 'set'
    ? stockFollower(db, { ids: orders.map((x) => String(x.body.id)), units: stockUnits, hasReserved }, (e) => o.print(`stock update failed: ${e.message}`))
    : undefined;
  const scheduleMs = orders.at(-1)?.atMs ?? 0;
  const scheduledPeak = peakPerSecond(orders.map((x) => x.atMs));
  o.print(`Replaying the live-stream storm: ${o.orders} orders of ${DEMO_SKU}, peak ${scheduledPeak}/s, speed ×${o.speed} (about ${Math.ceil(((pushes.at(-1)?.atMs ?? 0) / o.speed) / 1000)} s)`);
  if (pageUrl) o.print(`Watch the cards arrive: ${pageUrl}`);

  const bar = o.progress === 'bar'
    ? new SingleBar({ format: 'storm |{bar}| {value}/{total} pushed · {acked} acked · {rate}/s now (peak {peak}/s) · {retries} retries', hideCursor: true, clearOnComplete: false }, Presets.shades_classic)
    : undefined;
  bar?.start(pushes.length, 0, { acked: 0, rate: 0, peak: 0, retries: 0 });
  let lastLine = 0;
  const send = await sendStorm({
    url: o.url,
    secret: o.secret,
    orders,
    pushes,
    speed: o.speed,
    signal: o.signal,
    onProgress: (p) => {
      bar?.update(Math.min(p.sent, p.pushes), { acked: p.acked, rate: p.rate, peak: p.peak, retries: p.retries });
      if (o.progress === 'lines' && Date.now() - lastLine > 5000) {
        lastLine = Date.now();
        o.print(`  pushed ${p.sent}/${p.pushes} · acked ${p.acked} · ${p.rate}/s now (peak ${p.peak}/s) · retries ${p.retries}`);
      }
    },
  });
  bar?.update(Math.min(send.requests, pushes.length));
  bar?.stop();
  if (send.fatal) {
    await follower?.stop();
    o.print(`✘ ${send.fatal}`);
    await db?.end();
    return { ok: false, send, readBack: { error: send.fatal }, missing: [], lines: [send.fatal] };
  }

  const ids = [...send.acked];
  const read = async (): Promise<ReadBack | { error: string }> => {
    try {
      if (db) return await readBackFromDb(db, ids);
      if (o.apiToken) return await readBackFromApi(o.url, o.apiToken, ids);
      return { error: 'no DATABASE_URL reachable and no ORDEROPS_API_TOKEN' };
    } catch (e) {
      return { error: (e as Error).message };
    }
  };
  // The bot acknowledges at commit; rules and cards follow within seconds. Wait for them, bounded.
  o.print(`Waiting up to ${o.waitSeconds} s for the bot to process the orders and post the cards…`);
  const until = Date.now() + o.waitSeconds * 1000;
  let rb = await read();
  let stableSince = Date.now();
  let lastCards = -1;
  while (Date.now() < until && !o.signal?.aborted && !('error' in rb)) {
    const cards = rb.cards ? rb.cards.total : 0;
    if (cards !== lastCards) {
      lastCards = cards;
      stableSince = Date.now();
    }
    const processed = rb.processed >= rb.stored.size;
    const cardsDone = !rb.cards || rb.cards.waiting === 0 || Date.now() - stableSince > 5000;
    if (processed && cardsDone) break;
    await new Promise((r) => setTimeout(r, 1000));
    rb = await read();
  }
  await follower?.stop();
  const summary = summarize({ orders: o.orders, speed: o.speed, scheduledPeak, scheduleMs, send, readBack: rb, stock, stockUnits, stockMode: follower?.mode(), pageUrl });
  for (const l of summary.lines) o.print(l);
  await db?.end();
  return { ok: summary.ok, send, readBack: rb, missing: summary.missing, lines: summary.lines };
}

async function connect(databaseUrl: string): Promise<pg.Pool | undefined> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, connectionTimeoutMillis: 3000 });
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1 FROM orders LIMIT 1');
    return pool;
  } catch {
    await pool.end().catch(() => undefined);
    return undefined;
  }
}
