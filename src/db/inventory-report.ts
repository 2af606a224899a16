import type { InventorySettings, PoolRule } from '../domain/inventory/types';
import { withOverrides } from '../domain/inventory/pool-overrides';
import { loadPoolOverrides } from './pool-overrides';
import type { Tolerance } from '../domain/inventory/consistency';
import type { DeviationLine, PlatformTally } from '../domain/inventory/cards';
import { UNKNOWN_SKU_SCORE } from '../domain/inventory/consistency';
import type { Queryable } from './pool';

/** Pools flattened for SQL: default rules (sku null) and per-SKU rules, each with its order. */
export function poolRows(pools: PoolRule[], skuPools: Record<string, PoolRule[]>): unknown[] {
  const row = (sku: string | null) => (p: PoolRule, ord: number) => ({
    sku, ord, name: p.name, channels: p.channels, shops: p.shops, reserve: p.reserve, weight_bp: p.weightBp, overflow: p.overflow,
  });
  return [...pools.map(row(null)), ...Object.entries(skuPools).flatMap(([sku, ps]) => ps.map(row(sku)))];
}

/** The pools as SQL rows with every pool override applied (for the report and the stock pushes). */
export async function effectivePoolRows(db: Queryable, inv: Pick<InventorySettings, 'pools' | 'skuPools'>, skus?: string[]): Promise<unknown[]> {
  return poolRows(inv.pools, withOverrides(inv.pools, inv.skuPools, await loadPoolOverrides(db, skus)));
}

/**
 * What each target (a listing, or the seller's own webhook) may sell, in one statement: its channel's
 * units with pools applied, as domain/inventory/pools.ts computes it. `targets` is a query of
 * (sku, platform, shop, channel, stock, price, seen_at); $1 is the pools (jsonb). The consistency
 * report compares every listing with it, and the stock pushes send it — one definition for both.
 */
function sellableCte(targets: string): string {
  return `
  t AS (${targets}),
  rules AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb)
      AS r(sku text, ord int, name text, channels jsonb, shops jsonb, reserve int, weight_bp int, overflow boolean)
  ),
  listed AS (
    SELECT s.sku, greatest(s.stock, 0)::bigint AS stock, s.reserved FROM skus s WHERE s.sku IN (SELECT sku FROM t)
  ),
  own_rules AS (SELECT DISTINCT sku FROM rules WHERE sku IS NOT NULL),
  applicable AS (
    SELECT k.sku, k.stock, r.ord, r.name, r.channels, r.shops, r.overflow,
           coalesce(r.reserve::bigint, k.stock * coalesce(r.weight_bp, 0) / 10000) AS raw
    FROM listed k
    LEFT JOIN own_rules o ON o.sku = k.sku
    JOIN rules r ON (r.sku = k.sku) OR (r.sku IS NULL AND o.sku IS NULL)
  ),
  pool_state AS (
    SELECT a.sku, a.ord, a.name, a.channels, a.shops, a.overflow,
           greatest(least(a.raw, greatest(a.stock - coalesce(sum(a.raw) OVER (PARTITION BY a.sku ORDER BY a.ord
             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0), 0)) - coalesce(u.held, 0), 0) AS raw_free
    FROM applicable a LEFT JOIN sku_pool_usage u ON u.sku = a.sku AND u.pool = a.name
  ),
  unused AS (SELECT sku, sum(raw_free) AS unused FROM pool_state GROUP BY sku),
  sku_state AS (
    SELECT k.sku, greatest(k.stock - k.reserved, 0) AS free,
           greatest(greatest(k.stock - k.reserved, 0) - coalesce(u.unused, 0), 0) AS shared_free
    FROM listed k LEFT JOIN unused u ON u.sku = k.sku
  ),
  matched AS (
    SELECT DISTINCT ON (l.sku, l.platform, l.shop) l.sku, l.platform, l.shop, p.raw_free, p.overflow
    FROM t l JOIN pool_state p ON p.sku = l.sku AND p.channels ? l.channel AND (p.shops IS NULL OR p.shops ? l.shop)
    ORDER BY l.sku, l.platform, l.shop, p.ord
  ),
  d AS (
    SELECT l.sku, l.platform, l.shop, l.seen_at, (s.sku IS NOT NULL) AS known, s.owner,
      CASE WHEN s.sku IS NULL THEN NULL
           WHEN m.sku IS NULL THEN ss.shared_free
           ELSE least(ss.free, least(m.raw_free, ss.free) + CASE WHEN m.overflow THEN ss.shared_free ELSE 0 END) END::int AS expected_stock,
      l.stock AS listing_stock, s.price AS master_price, l.price AS listing_price
    FROM t l
    LEFT JOIN skus s ON s.sku = l.sku
    LEFT JOIN sku_state ss ON ss.sku = l.sku
    LEFT JOIN matched m ON m.sku = l.sku AND m.platform = l.platform AND m.shop = l.shop
  )`;
}

/**
 * Every listing against the master, in one statement: what its channel may sell (sellableCte), the
 * stock and price gaps, whether each is within the tolerance, and a score that ranks the worst first
 * (as domain/inventory/consistency.ts). $1 pools (jsonb), $2 stock tolerance (units), $3 price
 * tolerance (amount).
 */
const COMPARED = `${sellableCte(`SELECT sku, platform, shop, platform AS channel, stock, price, seen_at FROM platform_listings WHERE platform <> 'webhook'`)},
  e AS (
    SELECT d.*, d.listing_stock - d.expected_stock AS stock_diff, d.listing_price - d.master_price AS price_diff FROM d
  ),
  compared AS (
    SELECT e.*,
      e.known AND (e.stock_diff IS NULL OR abs(e.stock_diff) <= $2) AS stock_ok,
      e.known AND (e.price_diff IS NULL OR abs(e.price_diff) <= $3::numeric) AS price_ok
    FROM e
  ),
  scored AS (
    SELECT c.*, CASE WHEN NOT c.known THEN ${UNKNOWN_SKU_SCORE}::float8 ELSE greatest(
        CASE WHEN NOT c.stock_ok AND c.stock_diff IS NOT NULL THEN abs(c.stock_diff)::float8 / greatest(coalesce(c.expected_stock, 0), 1) ELSE 0 END,
        CASE WHEN NOT c.price_ok AND c.price_diff IS NOT NULL THEN abs(c.price_diff)::float8 / greatest(c.master_price, 0.01)::float8 ELSE 0 END)
      END AS score
    FROM compared c
  )`;

/** The sellable figure of one listing (or of the seller's webhook, channel $3) of each SKU in $2. */
const SELLABLE_CTE = `WITH ${sellableCte(`
    SELECT sku, platform, shop, platform AS channel, stock, price, seen_at FROM platform_listings WHERE sku = ANY($2::text[]) AND platform <> 'webhook'
    UNION ALL
    SELECT sku, 'webhook', '', $3::text, NULL::int, NULL::numeric, now() FROM skus WHERE $3::text IS NOT NULL AND sku = ANY($2::text[])`)}`;
const SELLABLE = `${SELLABLE_CTE} SELECT sku, platform, shop, expected_stock AS sellable FROM d WHERE known`;

/**
 * Settle the dirty stock rows of these SKUs whose platform already shows the figure they would be
 * sent (no call needed): one statement, so a restock of thousands of SKUs queues jobs only for the
 * listings that really differ. Returns how many were settled.
 */
export async function settleUnchangedStock(db: Queryable, pools: unknown[], skus: string[], webhookChannel: string | null, now: Date): Promise<number> {
  if (skus.length === 0) return 0;
  const r = await db.query(
    `${SELLABLE_CTE},
     fig AS (SELECT sku, platform, shop, expected_stock AS sellable FROM d WHERE known)
     UPDATE stock_pushes s SET dirty_at = NULL, wanted = fig.sellable, status = 'pushed', attempts = 0, error_kind = NULL, error_code = NULL, detail = NULL, updated_at = $4
     FROM fig LEFT JOIN platform_listings l ON l.sku = fig.sku AND l.platform = fig.platform AND l.shop = fig.shop
     WHERE s.sku = fig.sku AND s.platform = fig.platform AND s.shop = fig.shop AND s.dirty_at IS NOT NULL AND s.status <> 'sending'
       AND fig.sellable = CASE WHEN fig.platform = 'webhook' THEN s.pushed ELSE l.stock END`,
    [JSON.stringify(pools), skus, webhookChannel, now],
  );
  return r.rowCount ?? 0;
}

/**
 * What each listing of these SKUs may sell now — exactly the figure the consistency report expects
 * — keyed `platform\u0000shop\u0000sku`. With `webhookChannel`, the seller's own webhook too.
 */
export async function sellableOf(db: Queryable, pools: unknown[], skus: string[], webhookChannel: string | null): Promise<Map<string, number>> {
  const { rows } = await db.query<{ sku: string; platform: string; shop: string; sellable: number }>(SELLABLE, [JSON.stringify(pools), skus, webhookChannel]);
  return new Map(rows.map((r) => [`${r.platform}\u0000${r.shop}\u0000${r.sku}`, r.sellable]));
}

export interface ComputedReport {
  byPlatform: (PlatformTally & { unknown: number })[];
}

/**
 * Compare every listing and store the deviating ones under `reportId` (the CSV), aggregating per
 * platform in the same statement: nothing but the tallies comes back to Node.
 */
export async function computeReportRows(tx: Queryable, reportId: number, pools: unknown[], tol: Tolerance): Promise<ComputedReport> {
  const { rows } = await tx.query<{ platform: string; checked: number; consistent: number; stock_dev: number; price_dev: number; unknown: number }>(
    `WITH ${COMPARED},
     ins AS (
       INSERT INTO consistency_report_rows (report_id, sku, platform, shop, owner, known, master_stock, listing_stock, stock_diff,
         master_price, listing_price, price_diff, stock_ok, price_ok, score, seen_at)
       SELECT $4, sku, platform, shop, owner, known, expected_stock, listing_stock, stock_diff,
         master_price, listing_price, price_diff, stock_ok, price_ok, score, seen_at
       FROM scored WHERE NOT (stock_ok AND price_ok)
       RETURNING 1
     )
     SELECT platform, count(*)::int AS checked, count(*) FILTER (WHERE stock_ok AND price_ok)::int AS consistent,
       count(*) FILTER (WHERE known AND NOT stock_ok)::int AS stock_dev, count(*) FILTER (WHERE known AND NOT price_ok)::int AS price_dev,
       count(*) FILTER (WHERE NOT known)::int AS unknown
     FROM scored GROUP BY platform ORDER BY platform`,
    [JSON.stringify(pools), tol.stock, tol.price, reportId],
  );
  return {
    byPlatform: rows.map((r) => ({
      platform: r.platform, checked: r.checked, consistent: r.consistent, stockDeviations: r.stock_dev, priceDeviations: r.price_dev, unknown: r.unknown,
    })),
  };
}

export interface StoredDeviation extends Omit<DeviationLine, 'owner' | 'ownerId'> {
  owner: string | null;
  score: number;
  seenAt: string;
}

const ROW_COLUMNS = `sku, platform, shop, owner, known, master_stock AS "expectedStock", listing_stock AS "listingStock",
  stock_diff AS "stockDiff", master_price AS "masterPrice", listing_price AS "listingPrice", price_diff AS "priceDiff",
  stock_ok AS "stockOk", price_ok AS "priceOk", score, seen_at AS "seenAt"`;

/** The worst deviations of a report, worst first (ties by SKU, platform, shop for a stable order). */
export async function worstRows(db: Queryable, reportId: number, limit: number): Promise<StoredDeviation[]> {
  const { rows } = await db.query<StoredDeviation & { seenAt: Date }>(
    `SELECT ${ROW_COLUMNS} FROM consistency_report_rows WHERE report_id = $1 ORDER BY score DESC, sku, platform, shop LIMIT $2`,
    [reportId, limit],
  );
  return rows.map((r) => ({ ...r, seenAt: new Date(r.seenAt).toISOString() }));
}

/** A page of a report's rows in CSV order (keyset pagination: the CSV streams, it is never all in memory). */
export async function reportRowsPage(
  db: Queryable,
  reportId: number,
  after: { score: number; sku: string; platform: string; shop: string } | null,
  limit: number,
): Promise<(StoredDeviation & { seenAt: string })[]> {
  const { rows } = await db.query<StoredDeviation & { seenAt: Date }>(
    `SELECT ${ROW_COLUMNS} FROM consistency_report_rows
     WHERE report_id = $1 AND ($2::float8 IS NULL OR (score < $2 OR (score = $2 AND (sku, platform, shop) > ($3, $4, $5))))
     ORDER BY score DESC, sku, platform, shop LIMIT $6`,
    [reportId, after?.score ?? null, after?.sku ?? '', after?.platform ?? '', after?.shop ?? '', limit],
  );
  return rows.map((r) => ({ ...r, seenAt: new Date(r.seenAt).toISOString() }));
}

export interface ReportRow {
  id: number;
  reportDate: string;
  timezone: string;
  trigger: 'schedule' | 'cli' | 'api';
  scheduledFor: string | null;
  generatedAt: string;
  team: string;
  checked: number;
  consistent: number;
  stockDeviations: number;
  priceDeviations: number;
  unknownSkus: number;
  goal: number;
  tolerance: Tolerance;
  byPlatform: PlatformTally[];
  worst: StoredDeviation[];
  csvUrl: string | null;
  version: number;
}

const REPORT_COLUMNS = `id, to_char(report_date, 'YYYY-MM-DD') AS "reportDate", timezone, trigger, scheduled_for AS "scheduledFor",
  generated_at AS "generatedAt", team, checked, consistent, stock_deviations AS "stockDeviations", price_deviations AS "priceDeviations",
  unknown_skus AS "unknownSkus", goal::float8 AS goal, tolerance, by_platform AS "byPlatform", worst, csv_url AS "csvUrl", version`;

function toReport(r: ReportRow & { generatedAt: Date | string; scheduledFor: Date | string | null }): ReportRow {
  return {
    ...r,
    generatedAt: new Date(r.generatedAt).toISOString(),
    scheduledFor: r.scheduledFor ? new Date(r.scheduledFor).toISOString() : null,
  };
}

export async function loadReport(db: Queryable, id: number): Promise<ReportRow | null> {
  const { rows } = await db.query<ReportRow>(`SELECT ${REPORT_COLUMNS} FROM consistency_reports WHERE id = $1`, [id]);
  return rows[0] ? toReport(rows[0]) : null;
}

/** The report of a date: the scheduled one if there is one, else the newest made on demand. */
export async function reportOfDate(db: Queryable, date: string): Promise<ReportRow | null> {
  const { rows } = await db.query<ReportRow>(
    `SELECT ${REPORT_COLUMNS} FROM consistency_reports WHERE report_date = $1::date ORDER BY (trigger = 'schedule') DESC, id DESC LIMIT 1`,
    [date],
  );
  return rows[0] ? toReport(rows[0]) : null;
}

/** The newest report of an earlier day, for the trend on the card. */
export async function previousReport(db: Queryable, date: string): Promise<Pick<ReportRow, 'reportDate' | 'checked' | 'consistent'> | null> {
  const { rows } = await db.query<Pick<ReportRow, 'reportDate' | 'checked' | 'consistent'>>(
    `SELECT to_char(report_date, 'YYYY-MM-DD') AS "reportDate", checked, consistent FROM consistency_reports
     WHERE report_date < $1::date ORDER BY report_date DESC, (trigger = 'schedule') DESC, id DESC LIMIT 1`,
    [date],
  );
  return rows[0] ?? null;
}
