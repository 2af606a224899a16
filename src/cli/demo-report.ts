import type pg from 'pg';
import { DEMO_LIST_PRICE, DEMO_PRICE, DEMO_SKU, DEMO_STOCK } from './demo-storm';
import type { SendResult } from './demo-send';

/** What the bot holds for the demo's orders, read back after the storm. */
export interface ReadBack {
  via: 'database' | 'read API';
  stored: Set<string>;
  processed: number;
  exceptions: Record<string, number>;
  /** Exceptions with a card posted on at least one chat platform, per platform; null when unknown (API only). */
  cards: { total: number; byPlatform: Record<string, number>; unresolved: number; waiting: number } | null;
}

/**
 * The lamp as the article has it: `units` really available to this stream (417 of the 500). Where
 * the bot reserves stock (skus.reserved), what earlier runs still hold stays held: available =
 * stock - reserved, so stock becomes reserved + units.
 */
export async function prepareStock(db: pg.Pool, units = DEMO_STOCK): Promise<{ hasReserved: boolean }> {
  const col = await db.query(
    `SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'skus' AND column_name = 'reserved'`,
  );
  const hasReserved = (col.rowCount ?? 0) > 0;
  await db.query(
    `INSERT INTO skus (sku, name, stock, price, owner) VALUES ($1, '智能台灯（直播款）', $2, $3, 'demo')
     ON CONFLICT (sku) DO UPDATE SET stock = ${hasReserved ? 'skus.reserved + ' : ''}EXCLUDED.stock, price = EXCLUDED.price, updated_at = now()`,
    [DEMO_SKU, units, DEMO_PRICE],
  );
  return { hasReserved };
}

export type StockMode = 'unknown' | 'bot' | 'demo';

/**
 * Who takes the lamp's stock as orders are processed. A bot that reserves stock at processing
 * (inventory enabled) does it itself: the demo only watches ('bot'). A bot that only checks each
 * order against skus.stock would never run out, so the demo stands in for the reservation ('demo'):
 * every few milliseconds it sets the stock to what the processed orders of this run left. Orders
 * processed within one tick read the same stock, so a handful may slip past the limit: it errs
 * towards fewer stock_out cards, never towards flagging an order that got stock.
 */
export function stockFollower(
  db: pg.Pool,
  o: { ids: string[]; units: number; hasReserved: boolean; everyMs?: number },
  onError: (e: Error) => void,
): { mode(): StockMode; stop(): Promise<void> } {
  let mode: StockMode = 'unknown';
  let running: Promise<void> | undefined;
  let failed = false;
  const detect = async () => {
    const { rows } = await db.query<{ processed: number; reserved: number }>(
      `SELECT count(*) FILTER (WHERE o.processed_revision > 0)::int AS processed,
              ${o.hasReserved ? `count(*) FILTER (WHERE EXISTS (SELECT 1 FROM stock_reservations r WHERE r.order_id = o.id))::int` : '0'} AS reserved
       FROM orders o WHERE o.source = 'generic' AND o.external_id = ANY($1)`,
      [o.ids],
    );
    if ((rows[0]?.reserved ?? 0) > 0) mode = 'bot';
    else if ((rows[0]?.processed ?? 0) > 0) mode = 'demo';
  };
  // A bot that does not reserve compares each order with skus.stock itself (not stock - reserved).
  const follow = () =>
    db.query(
      `UPDATE skus SET stock = t.left, updated_at = now()
       FROM (SELECT greatest($2::int - coalesce(sum((i->>'qty')::int), 0), 0)::int AS left
             FROM orders o CROSS JOIN LATERAL jsonb_array_elements(o.data->'items') i
             WHERE o.source = 'generic' AND o.external_id = ANY($3) AND o.processed_revision > 0 AND i->>'sku' = $1
               AND NOT EXISTS (SELECT 1 FROM exceptions e WHERE e.order_id = o.id AND e.type = 'stock_out')) t
       WHERE sku = $1 AND stock <> t.left`,
      [DEMO_SKU, o.units, o.ids],
    );
  const tick = () => {
    if (running || failed || mode === 'bot') return;
    running = (async () => {
      if (mode === 'unknown') await detect();
      if (mode === 'demo') await follow();
    })()
      .catch((e: Error) => {
        failed = true;
        onError(e);
      })
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, o.everyMs ?? 25);
  return {
    mode: () => mode,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

export async function readBackFromDb(db: pg.Pool, ids: string[]): Promise<ReadBack> {
  const orders = await db.query<{ external_id: string; processed: boolean }>(
    `SELECT external_id, processed_revision >= revision AS processed FROM orders WHERE source = 'generic' AND external_id = ANY($1)`,
    [ids],
  );
  const ex = await db.query<{ type: string; n: number }>(
    `SELECT e.type, count(*)::int AS n FROM exceptions e JOIN orders o ON o.id = e.order_id
     WHERE o.source = 'generic' AND o.external_id = ANY($1) GROUP BY e.type ORDER BY n DESC, e.type`,
    [ids],
  );
  const SCOPE = `JOIN orders o ON o.id = e.order_id WHERE o.source = 'generic' AND o.external_id = ANY($1)`;
  const perPlatform = await db.query<{ platform: string; n: number }>(
    `SELECT m.platform, count(DISTINCT m.exception_id)::int AS n FROM chat_messages m JOIN exceptions e ON e.id = m.exception_id
     ${SCOPE} AND m.state = 'posted' GROUP BY m.platform ORDER BY m.platform`,
    [ids],
  );
  const counts = await db.query<{ posted: number; unresolved: number; waiting: number }>(
    `SELECT count(*) FILTER (WHERE p.posted)::int AS posted,
            count(*) FILTER (WHERE e.status <> 'resolved')::int AS unresolved,
            count(*) FILTER (WHERE e.status <> 'resolved' AND NOT p.posted)::int AS waiting
     FROM exceptions e
     CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM chat_messages m WHERE m.exception_id = e.id AND m.state = 'posted') AS posted) p
     ${SCOPE}`,
    [ids],
  );
  const byPlatform = Object.fromEntries(perPlatform.rows.map((r) => [r.platform, r.n]));
  const total = counts.rows[0]?.posted ?? 0;
  const unresolved = counts.rows[0]?.unresolved ?? 0;
  const waiting = counts.rows[0]?.waiting ?? 0;
  return {
    via: 'database',
    stored: new Set(orders.rows.map((r) => r.external_id)),
    processed: orders.rows.filter((r) => r.processed).length,
    exceptions: Object.fromEntries(ex.rows.map((r) => [r.type, r.n])),
    cards: { total, byPlatform, unresolved, waiting },
  };
}

/** Without database access: one read API call per order (bearer ORDEROPS_API_TOKEN). */
export async function readBackFromApi(url: string, token: string, ids: string[]): Promise<ReadBack> {
  const stored = new Set<string>();
  const exceptions: Record<string, number> = {};
  let processed = 0;
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const res = await fetch(`${url}/api/orders/generic/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
      if (res.status === 404) continue;
      if (!res.ok) throw new Error(`read API answered ${res.status} for ${id}: ${(await res.text()).slice(0, 200)}`);
      const body = (await res.json()) as { order: { processed?: boolean }; exceptions: { type: string }[] };
      stored.add(id);
      if (body.order.processed) processed++;
      for (const e of body.exceptions) exceptions[e.type] = (exceptions[e.type] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return { via: 'read API', stored, processed, exceptions, cards: null };
}

export interface SummaryInput {
  orders: number;
  speed: number;
  scheduledPeak: number;
  scheduleMs: number;
  send: SendResult;
  readBack: ReadBack | { error: string };
  stock: 'set' | 'skipped' | string;
  stockUnits: number;
  stockMode?: StockMode;
  pageUrl?: string;
}

const fmtMs = (ms: number) => (ms >= 60_000 ? `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s` : `${(ms / 1000).toFixed(1)}s`);

/** The closing report; `lost` lists acknowledged orders the bot does not have (must be empty). */
export function summarize(s: SummaryInput): { lines: string[]; ok: boolean; missing: string[] } {
  const { send } = s;
  const lines: string[] = [];
  lines.push('');
  lines.push(`Live-stream storm replayed: ${s.orders} orders of ${DEMO_SKU} at ${DEMO_PRICE} (list price ${DEMO_LIST_PRICE}), ${s.stockUnits} in stock`);
  lines.push(`  schedule       peak ${s.scheduledPeak} orders/s, all within ${fmtMs(s.scheduleMs)} of storm time; speed ×${s.speed} → sent in ${fmtMs(send.elapsedMs)}, peak ${send.peakSentPerSecond} requests/s`);
  lines.push(`  sent           ${send.requests} requests (${s.orders} orders, ${send.duplicatePushes} duplicate pushes, ${send.retries} retries)`);
  const statuses = Object.entries(send.statusCounts).map(([k, v]) => `${k}: ${v}`).join(', ');
  lines.push(`  answers        ${statuses || '—'}`);
  lines.push(`  acknowledged   ${send.acked.size} orders (2xx only after commit to Postgres)`);
  if (s.stock === 'set') {
    lines.push(s.stockMode === 'demo'
      ? `  stock          ${s.stockUnits} of ${DEMO_SKU} available; the bot checks but does not reserve stock, so the demo lowered it as each order was processed`
      : `  stock          ${s.stockUnits} of ${DEMO_SKU} available, reserved by the bot as it processed each order`);
  }
  else if (s.stock !== 'skipped') lines.push(`  stock          not set (${s.stock}): no stock_out expected`);

  if ('error' in s.readBack) {
    lines.push(`  stored         could not be read back: ${s.readBack.error}`);
    lines.push('  ✘ no proof: set DATABASE_URL (as for the bot) or ORDEROPS_API_TOKEN, and run again');
    return { lines, ok: false, missing: [] };
  }
  const rb = s.readBack;
  const missing = [...send.acked].filter((id) => !rb.stored.has(id)).sort();
  lines.push(`  stored         ${rb.stored.size} orders (read back through the ${rb.via}); processed by the rules: ${rb.processed}`);
  const ex = Object.entries(rb.exceptions).sort((a, b) => b[1] - a[1]);
  const exTotal = ex.reduce((n, [, v]) => n + v, 0);
  lines.push(`  exceptions     ${exTotal}${ex.length ? `: ${ex.map(([k, v]) => `${k} ${v}`).join(' · ')}` : ''}`);
  if (rb.cards) {
    const per = Object.entries(rb.cards.byPlatform).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`  cards posted   ${rb.cards.total}${per ? ` (${per})` : ' (no chat platform posted any: is the local channel or a chat front on?)'}; ${rb.cards.unresolved} exceptions still open`);
  } else lines.push('  cards posted   unknown (needs database access)');
  if (s.pageUrl) lines.push(`  local channel  ${s.pageUrl}`);
  if (send.notAcked.length > 0) {
    lines.push(`  not acknowledged (a platform would push these again): ${send.notAcked.length}`);
    for (const n of send.notAcked.slice(0, 10)) lines.push(`    ${n.id}: ${n.status} ${n.message}`);
  }
  const ok = missing.length === 0 && send.acked.size > 0;
  if (missing.length === 0) {
    lines.push(`  ✔ nothing lost: every acknowledged order is stored (${send.acked.size} acknowledged = ${[...send.acked].filter((id) => rb.stored.has(id)).length} stored)`);
    lines.push(`    (in the article the intake held 30/s and 88 of 500 paid orders never arrived)`);
  } else {
    lines.push(`  ✘ LOST: ${missing.length} acknowledged orders are not stored:`);
    for (const id of missing.slice(0, 50)) lines.push(`    ${id}`);
  }
  return { lines, ok, missing };
}
