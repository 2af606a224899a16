import type pg from 'pg';
import type { Logger } from 'pino';
import type { Clock } from '../../domain/ports';
import type { ShopSettings } from '../../domain/reconcile/shop';
import type { ShopPort } from '../../domain/shop/shop-port';
import type { ListingInput } from '../../domain/inventory/listing-row';
import { upsertListings } from '../../db/inventory-listings';

export interface ListingPullDeps {
  pool: pg.Pool;
  clock: Clock;
  shops: ShopSettings[];
  /** A shop's port for reading (its calls paced at the platform's configured rate). */
  portFor(shop: ShopSettings): { ok: true; port: ShopPort } | { ok: false; reason: string };
  logger: Pick<Logger, 'info' | 'warn'>;
}

export interface ListingPullSummary {
  shop: string;
  status: 'complete' | 'failed' | 'skipped';
  listings: number;
  matched: number;
  unmatched: number;
  calls: number;
  error?: string;
}

/**
 * Read one shop's listings through its platform's documented read calls and store what it shows
 * now, matched to master SKUs by the seller's merchant code (the platform's own ids kept to push
 * with). A listing whose code is no master SKU is stored too, so the report can name it. Never
 * pushes anything: deviations are for a person to decide (the report's 推送主数据 button).
 */
export async function pullShopListings(deps: ListingPullDeps, shop: ShopSettings, trigger: string): Promise<ListingPullSummary> {
  const port = deps.portFor(shop);
  const base = { shop: shop.id, listings: 0, matched: 0, unmatched: 0, calls: 0 };
  if (!port.ok || !port.port.readListings) {
    return { ...base, status: 'skipped', error: port.ok ? `${shop.source} has no listing read` : port.reason };
  }
  const started = deps.clock.now();
  const { rows } = await deps.pool.query<{ id: number }>(
    `INSERT INTO listing_pulls (shop, platform, trigger, started_at) VALUES ($1, $2, $3, $4) RETURNING id`,
    [shop.id, shop.source, trigger, started],
  );
  const runId = rows[0]!.id;
  const sum = { ...base };
  try {
    for await (const page of port.port.readListings()) {
      sum.calls = page.calls;
      if (page.listings.length === 0) continue;
      const codes = [...new Set(page.listings.map((l) => l.merchantCode))];
      const known = new Set((await deps.pool.query<{ sku: string }>('SELECT sku FROM skus WHERE sku = ANY($1::text[])', [codes])).rows.map((r) => r.sku));
      const seenAt = deps.clock.now().toISOString();
      const inputs: ListingInput[] = page.listings.map((l) => ({
        sku: l.merchantCode, platform: shop.source, shop: shop.id, stock: l.stock, price: l.price, seenAt, ref: l.ref, merchantCode: l.merchantCode,
      }));
      await upsertListings(deps.pool, inputs, 'pull', deps.clock.now());
      sum.listings += page.listings.length;
      sum.matched += page.listings.filter((l) => known.has(l.merchantCode)).length;
      sum.unmatched += page.listings.filter((l) => !known.has(l.merchantCode)).length;
    }
  } catch (e) {
    const error = (e as Error).message.slice(0, 500);
    await deps.pool.query(
      `UPDATE listing_pulls SET status = 'failed', finished_at = $2, listings = $3, matched = $4, unmatched = $5, calls = $6, error = $7 WHERE id = $1`,
      [runId, deps.clock.now(), sum.listings, sum.matched, sum.unmatched, sum.calls, error],
    );
    deps.logger.warn({ shop: shop.id, err: error }, 'listing pull failed');
    return { ...sum, status: 'failed', error };
  }
  await deps.pool.query(
    `UPDATE listing_pulls SET status = 'complete', finished_at = $2, listings = $3, matched = $4, unmatched = $5, calls = $6 WHERE id = $1`,
    [runId, deps.clock.now(), sum.listings, sum.matched, sum.unmatched, sum.calls],
  );
  deps.logger.info({ ...sum }, 'listings pulled');
  return { ...sum, status: 'complete' };
}

/**
 * Pull every configured shop: the platforms side by side (each keeps to its own rate), the shops of
 * one platform one after another (they share the app's rate). With `freshWithinMinutes`, a shop whose
 * last complete pull is that recent is skipped — the report's own pull then only fills in what the
 * scheduled one did not get to.
 */
export async function pullAllListings(deps: ListingPullDeps, o: { trigger: string; freshWithinMinutes?: number }): Promise<ListingPullSummary[]> {
  const due: ShopSettings[] = [];
  for (const shop of deps.shops) {
    if (o.freshWithinMinutes !== undefined) {
      const { rows } = await deps.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM listing_pulls WHERE shop = $1 AND status = 'complete' AND finished_at > $2::timestamptz - make_interval(mins => $3)`,
        [shop.id, deps.clock.now(), o.freshWithinMinutes],
      );
      if (rows[0]!.n > 0) continue;
    }
    due.push(shop);
  }
  const byPlatform = new Map<string, ShopSettings[]>();
  for (const s of due) byPlatform.set(s.source, [...(byPlatform.get(s.source) ?? []), s]);
  const lanes = await Promise.all([...byPlatform.values()].map(async (shops) => {
    const out: ListingPullSummary[] = [];
    for (const shop of shops) out.push(await pullShopListings(deps, shop, o.trigger));
    return out;
  }));
  return lanes.flat();
}
