/**
 * Channel pools: pure maths over one SKU's stock. The same rules run in Postgres for the
 * consistency report (see db/inventory-report.ts); unit tests pin both to these functions.
 *
 * Model: `stock` is on hand, `reserved` is held by orders, free = max(stock − reserved, 0). Each pool
 * gets a quota of the stock on hand (a fixed `reserve`, or floor(stock × weight)), allocated in
 * config order and never more than what is left. A pool's unused quota is kept for its channels;
 * the shared remainder is what is free beyond every pool's unused quota.
 *
 * @example
 *   // 100 on hand, the Douyin live stream keeps 30: Douyin may sell 100, everyone else 70.
 *   const p = stockPicture({ stock: 100, reserved: 0, held: {} }, [liveRule]);
 *   availableTo(p, liveRule) // 100
 *   availableTo(p, undefined) // 70
 */
import type { PoolRule } from './types';

export interface SkuStock {
  stock: number;
  reserved: number;
  /** Units each pool has handed out from its quota, by pool name. */
  held: Record<string, number>;
}

export interface PoolState {
  rule: PoolRule;
  quota: number;
  held: number;
  /** Unused quota, capped by what is free at all. */
  free: number;
}

export interface StockPicture {
  free: number;
  sharedFree: number;
  pools: PoolState[];
}

/** Each pool's quota of `stock`, allocated in order so the quotas never add up to more than the stock. */
export function poolQuotas(stock: number, rules: PoolRule[]): number[] {
  let left = Math.max(stock, 0);
  return rules.map((r) => {
    const raw = r.reserve ?? Math.floor((Math.max(stock, 0) * (r.weightBp ?? 0)) / 10_000);
    const q = Math.min(raw, left);
    left -= q;
    return q;
  });
}

export function stockPicture(s: SkuStock, rules: PoolRule[]): StockPicture {
  const free = Math.max(s.stock - s.reserved, 0);
  const quotas = poolQuotas(s.stock, rules);
  let unused = 0;
  const pools = rules.map((rule, i) => {
    const quota = quotas[i]!;
    const held = s.held[rule.name] ?? 0;
    const rawFree = Math.max(quota - held, 0);
    unused += rawFree;
    return { rule, quota, held, free: Math.min(rawFree, free) };
  });
  return { free, sharedFree: Math.max(free - unused, 0), pools };
}

/** The pool an order channel (and shop) sells from: the first rule naming it, else none (shared only). */
export function poolFor(rules: PoolRule[], channel: string, shop: string | null | undefined): PoolRule | undefined {
  return rules.find((r) => r.channels.includes(channel) && (r.shops === null || (shop != null && r.shops.includes(shop))));
}

/** How many units an order from this pool (undefined: no pool) may take now. */
export function availableTo(p: StockPicture, rule: PoolRule | undefined): number {
  if (!rule) return p.sharedFree;
  const ps = p.pools.find((x) => x.rule.name === rule.name);
  if (!ps) return p.sharedFree;
  return Math.min(p.free, ps.free + (rule.overflow ? p.sharedFree : 0));
}

/** Fixed reservation first, then the shared remainder; null when the quantity is not there. */
export function takeFrom(p: StockPicture, rule: PoolRule | undefined, qty: number): { fromPool: number; fromShared: number } | null {
  if (qty <= 0 || qty > availableTo(p, rule)) return null;
  const ps = rule ? p.pools.find((x) => x.rule.name === rule.name) : undefined;
  const fromPool = ps ? Math.min(ps.free, qty) : 0;
  return { fromPool, fromShared: qty - fromPool };
}

export interface Demand {
  sku: string;
  qty: number;
}

export interface Take {
  sku: string;
  qty: number;
  pool: string | null;
  fromPool: number;
  fromShared: number;
}

export interface SkuPools {
  stock: SkuStock;
  rules: PoolRule[];
}

export type ReservationPlan =
  | { ok: true; takes: Take[] }
  | { ok: false; lacking: { sku: string; wanted: number; available: number }[] };

/** Order lines summed per SKU (an order may list a SKU twice), in first-seen order. */
export function demandOf(items: { sku: string; qty: number }[]): Demand[] {
  const m = new Map<string, number>();
  for (const i of items) m.set(i.sku, (m.get(i.sku) ?? 0) + i.qty);
  return [...m].map(([sku, qty]) => ({ sku, qty }));
}

/** Units available to this channel per SKU; SKUs without a master record are left out (not checked). */
export function availability(skus: Map<string, SkuPools>, channel: string, shop: string | null | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const [sku, s] of skus) out.set(sku, availableTo(stockPicture(s.stock, s.rules), poolFor(s.rules, channel, shop)));
  return out;
}

/**
 * All or nothing: an order that cannot get every unit of every SKU reserves none of them (it is a
 * stock-out exception, held before the warehouse sees it). SKUs without a master record are skipped.
 */
export function planReservation(demand: Demand[], skus: Map<string, SkuPools>, channel: string, shop: string | null | undefined): ReservationPlan {
  const takes: Take[] = [];
  const lacking: { sku: string; wanted: number; available: number }[] = [];
  for (const d of demand) {
    const s = skus.get(d.sku);
    if (!s) continue;
    const rule = poolFor(s.rules, channel, shop);
    const picture = stockPicture(s.stock, s.rules);
    const t = takeFrom(picture, rule, d.qty);
    if (t) takes.push({ sku: d.sku, qty: d.qty, pool: rule?.name ?? null, ...t });
    else lacking.push({ sku: d.sku, wanted: d.qty, available: availableTo(picture, rule) });
  }
  return lacking.length > 0 ? { ok: false, lacking } : { ok: true, takes };
}

/** The stock after a take (or, with sign −1, after releasing it). */
export function applyTake(s: SkuStock, t: Pick<Take, 'qty' | 'pool' | 'fromPool'>, sign: 1 | -1 = 1): SkuStock {
  const held = { ...s.held };
  if (t.pool && t.fromPool > 0) held[t.pool] = Math.max((held[t.pool] ?? 0) + sign * t.fromPool, 0);
  return { stock: s.stock, reserved: Math.max(s.reserved + sign * t.qty, 0), held };
}
