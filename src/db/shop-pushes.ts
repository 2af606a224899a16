import type { ListingRef, PushErrorKind, PushTarget } from '../domain/shop/shop-port';
import type { Queryable } from './pool';

/**
 * The price outbox (`price_pushes`) and the stock outbox (`stock_pushes`). A worker claims a row
 * with a lease (status `sending`), calls the platform outside any transaction, then records what
 * happened. A worker killed mid-call leaves a lease that runs out, after which the row is claimed
 * again: the only repeat a crash can cause is that one call, and every call is a full set.
 */
// Longer than a platform call can take (30 s timeout), short enough that a killed worker's push goes out soon.
const LEASE_MS = 45_000;

export interface ClaimedPricePush {
  id: number;
  changeId: number;
  price: string;
  attempts: number;
  target: PushTarget;
}

/** Claim a pending price push of this round for sending; null when it is done, held, or someone else's. */
export async function claimPricePush(db: Queryable, id: number, round: number, now: Date): Promise<ClaimedPricePush | null> {
  const { rows } = await db.query<{ id: number; change_id: number; price: string; attempts: number; sku: string; platform: string; shop: string; ref: ListingRef | null; stock: number | null; listing_price: string | null }>(
    `WITH c AS (
       UPDATE price_pushes SET status = 'sending', lease_until = $3::timestamptz + make_interval(secs => $4 / 1000.0), attempts = attempts + 1, updated_at = $3
       WHERE id = $1 AND round = $2 AND (status = 'pending' OR (status = 'sending' AND lease_until < $3))
       RETURNING id, change_id, price, attempts, platform, shop
     )
     SELECT c.id, c.change_id, c.price, c.attempts, p.sku, c.platform, c.shop, l.ref, l.stock, l.price AS listing_price
     FROM c JOIN price_changes p ON p.id = c.change_id
     LEFT JOIN platform_listings l ON l.sku = p.sku AND l.platform = c.platform AND l.shop = c.shop`,
    [id, round, now, LEASE_MS],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id, changeId: r.change_id, price: r.price, attempts: r.attempts,
    target: { sku: r.sku, platform: r.platform, shop: r.shop, ref: r.ref, lastStock: r.stock, lastPrice: r.listing_price, pushKey: `price-${r.id}-${round}` },
  };
}

/** The platform took the price: the push is done and the listing shows it now. */
export async function pricePushed(db: Queryable, p: ClaimedPricePush, now: Date): Promise<void> {
  await db.query(
    `UPDATE price_pushes SET status = 'pushed', pushed_at = $2, lease_until = NULL, error_kind = NULL, error_code = NULL, detail = NULL, updated_at = $2 WHERE id = $1`,
    [p.id, now],
  );
  await db.query(
    `UPDATE platform_listings SET price = $4, seen_at = greatest(seen_at, $5), source = 'push', updated_at = $5
     WHERE sku = $1 AND platform = $2 AND shop = $3`,
    [p.target.sku, p.target.platform, p.target.shop, p.price, now],
  );
}

/** A failed attempt: back to pending (retried) or failed (a person must look), with the platform's words. */
export async function pricePushFailed(
  db: Queryable, id: number, e: { kind: PushErrorKind; code: string; message: string; final: boolean }, now: Date,
): Promise<void> {
  await db.query(
    `UPDATE price_pushes SET status = $2, error_kind = $3, error_code = $4, detail = $5, lease_until = NULL, updated_at = $6 WHERE id = $1`,
    [id, e.final ? 'failed' : 'pending', e.kind, e.code.slice(0, 100), e.message.slice(0, 500), now],
  );
}

/** A throttled attempt does not count: the lease is dropped and the attempt given back. */
export async function pricePushThrottled(db: Queryable, id: number, message: string, now: Date): Promise<void> {
  await db.query(
    `UPDATE price_pushes SET status = 'pending', attempts = greatest(attempts - 1, 0), error_kind = 'throttled', detail = $2, lease_until = NULL, updated_at = $3 WHERE id = $1`,
    [id, message.slice(0, 500), now],
  );
}

/** Bump the change's version so every copy of its card re-renders with the push results. */
export async function touchPriceChange(db: Queryable, changeId: number, now: Date): Promise<number> {
  const { rows } = await db.query<{ version: number }>('UPDATE price_changes SET version = version + 1, updated_at = $2 WHERE id = $1 RETURNING version', [changeId, now]);
  return rows[0]?.version ?? 0;
}

/** Pushes to send (pending, or a lease run out): what the sweep re-triggers when a job was lost. */
export async function openPricePushes(db: Queryable, now: Date, olderThanMs: number, limit: number): Promise<{ id: number; round: number; platform: string }[]> {
  const { rows } = await db.query<{ id: number; round: number; platform: string }>(
    `SELECT id, round, platform FROM price_pushes
     WHERE (status = 'pending' AND updated_at < $1::timestamptz - make_interval(secs => $2 / 1000.0)) OR (status = 'sending' AND lease_until < $1)
     ORDER BY updated_at LIMIT $3`,
    [now, olderThanMs, limit],
  );
  return rows;
}

// ---- stock ----------------------------------------------------------------------------------

/**
 * Mark these SKUs' sellable figures as changed, in the caller's transaction (the decision that
 * moved them). The dispatcher sends each listing's figure at its next tick.
 */
export async function markStockDirty(db: Queryable, skus: string[], now: Date): Promise<void> {
  if (skus.length === 0) return;
  await db.query(
    `INSERT INTO stock_dirty AS d (sku, dirty_at) SELECT unnest($1::text[]), $2
     ON CONFLICT (sku) DO UPDATE SET dirty_at = greatest(d.dirty_at, EXCLUDED.dirty_at)`,
    [[...new Set(skus)].sort(), now],
  );
}

/**
 * Turn SKU marks into listing rows: each marked SKU's listings (and the seller's webhook, when it
 * takes stock) become dirty in stock_pushes; the marks are consumed in the same statement.
 */
export async function expandStockMarks(db: Queryable, limit: number, withWebhook: boolean): Promise<number> {
  const r = await db.query(
    `WITH d AS (
       DELETE FROM stock_dirty WHERE sku IN (SELECT sku FROM stock_dirty ORDER BY dirty_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING sku, dirty_at
     )
     INSERT INTO stock_pushes AS s (sku, platform, shop, dirty_at, updated_at)
     SELECT d.sku, l.platform, l.shop, d.dirty_at, d.dirty_at FROM d JOIN platform_listings l ON l.sku = d.sku WHERE l.platform <> 'webhook'
     UNION ALL
     SELECT d.sku, 'webhook', '', d.dirty_at, d.dirty_at FROM d WHERE $2
     ON CONFLICT (sku, platform, shop) DO UPDATE SET dirty_at = greatest(coalesce(s.dirty_at, EXCLUDED.dirty_at), EXCLUDED.dirty_at)`,
    [limit, withWebhook],
  );
  return r.rowCount ?? 0;
}

/** SKUs with listings marked and not yet queued (for settling the unchanged ones first). */
export async function dirtySkus(db: Queryable, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ sku: string }>(
    `SELECT DISTINCT sku FROM (SELECT sku FROM stock_pushes WHERE dirty_at IS NOT NULL AND (queued_at IS NULL OR queued_at < dirty_at) ORDER BY dirty_at LIMIT $1) d`,
    [limit],
  );
  return rows.map((r) => r.sku);
}

export interface DirtyStock {
  sku: string;
  platform: string;
  shop: string;
  dirtyAt: Date;
}

/** Take the dirty rows not queued since they were marked; they are marked queued in the same statement. */
export async function takeDirtyStock(db: Queryable, now: Date, limit: number, staleQueuedMs: number): Promise<DirtyStock[]> {
  const { rows } = await db.query<DirtyStock>(
    `UPDATE stock_pushes s SET queued_at = $1
     FROM (SELECT sku, platform, shop FROM stock_pushes
           WHERE dirty_at IS NOT NULL AND (queued_at IS NULL OR queued_at < dirty_at OR queued_at < $1::timestamptz - make_interval(secs => $3 / 1000.0))
           ORDER BY dirty_at LIMIT $2 FOR UPDATE SKIP LOCKED) d
     WHERE s.sku = d.sku AND s.platform = d.platform AND s.shop = d.shop
     RETURNING s.sku, s.platform, s.shop, s.dirty_at AS "dirtyAt"`,
    [now, limit, staleQueuedMs],
  );
  return rows;
}

export interface ClaimedStockPush {
  sku: string;
  platform: string;
  shop: string;
  dirtyAt: Date;
  /** The mark exactly as stored (microseconds), to clear only this mark and nothing newer. */
  dirtyAtExact: string;
  attempts: number;
  pushed: number | null;
  target: PushTarget;
}

/** Claim a dirty stock row (lease); null when clean, or another worker holds it (it will see the newer mark). */
export async function claimStockPush(db: Queryable, key: { sku: string; platform: string; shop: string }, now: Date): Promise<ClaimedStockPush | null> {
  const { rows } = await db.query<{ dirty_at: Date; dirty_exact: string; attempts: number; pushed: number | null; ref: ListingRef | null; stock: number | null; price: string | null }>(
    `WITH c AS (
       UPDATE stock_pushes SET status = 'sending', lease_until = $4::timestamptz + make_interval(secs => $5 / 1000.0), attempts = attempts + 1, updated_at = $4
       WHERE sku = $1 AND platform = $2 AND shop = $3 AND dirty_at IS NOT NULL AND (status <> 'sending' OR lease_until < $4)
       RETURNING sku, platform, shop, dirty_at, attempts, pushed
     )
     SELECT c.dirty_at, c.dirty_at::text AS dirty_exact, c.attempts, c.pushed, l.ref, l.stock, l.price
     FROM c LEFT JOIN platform_listings l ON l.sku = c.sku AND l.platform = c.platform AND l.shop = c.shop`,
    [key.sku, key.platform, key.shop, now, LEASE_MS],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    ...key, dirtyAt: r.dirty_at, dirtyAtExact: r.dirty_exact, attempts: r.attempts, pushed: r.pushed,
    target: { ...key, ref: r.ref, lastStock: r.stock, lastPrice: r.price, pushKey: `stock-${key.platform}-${key.shop}-${key.sku}-${r.dirty_at.getTime()}` },
  };
}

/**
 * The figure is on the platform (or needed no call): clean unless a newer change marked the row
 * meanwhile — then it stays dirty and the next tick sends the newer figure.
 */
export async function stockPushed(db: Queryable, c: ClaimedStockPush, quantity: number, called: boolean, now: Date): Promise<void> {
  await db.query(
    `UPDATE stock_pushes SET status = 'pushed', wanted = $4, pushed = $4, pushed_at = CASE WHEN $5 THEN $6 ELSE pushed_at END,
       attempts = 0, error_kind = NULL, error_code = NULL, detail = NULL, lease_until = NULL, updated_at = $6,
       dirty_at = CASE WHEN dirty_at <= $7::timestamptz THEN NULL ELSE dirty_at END
     WHERE sku = $1 AND platform = $2 AND shop = $3`,
    [c.sku, c.platform, c.shop, quantity, called, now, c.dirtyAtExact],
  );
  if (called && c.platform !== 'webhook') {
    await db.query(
      `UPDATE platform_listings SET stock = $4, seen_at = greatest(seen_at, $5), source = 'push', updated_at = $5
       WHERE sku = $1 AND platform = $2 AND shop = $3`,
      [c.sku, c.platform, c.shop, quantity, now],
    );
  }
}

export async function stockPushFailed(
  db: Queryable, c: ClaimedStockPush, e: { kind: PushErrorKind; code: string; message: string; final: boolean; throttled?: boolean }, wanted: number | null, now: Date,
): Promise<void> {
  await db.query(
    `UPDATE stock_pushes SET status = $4, wanted = coalesce($9, wanted), error_kind = $5, error_code = $6, detail = $7, lease_until = NULL, updated_at = $8,
       attempts = CASE WHEN $10 THEN greatest(attempts - 1, 0) ELSE attempts END,
       -- a final failure leaves the row clean: the next change (or a retry) marks it again
       dirty_at = CASE WHEN $4 = 'failed' AND dirty_at <= $11::timestamptz THEN NULL ELSE dirty_at END
     WHERE sku = $1 AND platform = $2 AND shop = $3`,
    [c.sku, c.platform, c.shop, e.final ? 'failed' : 'pending', e.kind, e.code.slice(0, 100), e.message.slice(0, 500), now, wanted, e.throttled === true, c.dirtyAtExact],
  );
}
