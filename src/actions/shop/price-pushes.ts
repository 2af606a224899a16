import type pg from 'pg';
import { priceCardKey } from '../../domain/inventory/cards';
import { needsNightConfirmation } from '../../domain/shop/settings';
import { ShopPushError } from '../../domain/shop/shop-port';
import { claimPricePush, pricePushed, pricePushFailed, pricePushThrottled, touchPriceChange } from '../../db/shop-pushes';
import { withTransaction } from '../../db/pool';
import type { OutboxDeps, PushRef, SendDeps, SendOutcome } from './push-deps';

/**
 * Write the pushes of an approved price into the outbox, in the approval's (or publication's)
 * transaction: one row per listing of the SKU on a platform, plus the seller's webhook when it takes
 * prices. Inside the night guard's hours, without a confirmation, they are `held` until someone
 * confirms on the card; with shop_sync off they are `manual`. Returns the rows to trigger.
 */
export async function queuePricePushes(
  tx: pg.PoolClient,
  deps: OutboxDeps | undefined,
  change: { id: number; sku: string; price: string; nightConfirmed: boolean; scope?: { platform: string; shop: string } | null },
  now: Date,
): Promise<{ queued: number; refs: PushRef[]; held: boolean }> {
  const enabled = deps?.sync.enabled ?? false;
  const held = enabled && !change.nightConfirmed && needsNightConfirmation(deps!.sync.nightGuard, deps!.timezone, now);
  const status = !enabled ? 'manual' : held ? 'held' : 'pending';
  const detail = !enabled ? (deps ? 'shop_sync.enabled is off: change it in the shop back office' : 'pushes are not wired in this process') : null;
  const { rows } = await tx.query<{ id: number; round: number; platform: string }>(
    `INSERT INTO price_pushes (change_id, platform, shop, status, price, detail, created_at, updated_at)
     SELECT $1::bigint, platform, shop, $3::text, $4::numeric, $5::text, $6::timestamptz, $6::timestamptz FROM platform_listings
     WHERE sku = $2 AND platform <> 'webhook' AND ($8::text IS NULL OR (platform = $8 AND shop = $9))
     UNION ALL SELECT $1::bigint, 'webhook', '', $3::text, $4::numeric, $5::text, $6::timestamptz, $6::timestamptz WHERE $7::boolean AND $8::text IS NULL
     ON CONFLICT (change_id, platform, shop) DO NOTHING
     RETURNING id, round, platform`,
    [change.id, change.sku, status, change.price, detail, now, deps?.webhook?.prices === true, change.scope?.platform ?? null, change.scope?.shop ?? null],
  );
  const refs: PushRef[] = status === 'pending' ? rows.map((r) => ({ kind: 'price', id: r.id, round: r.round, platform: r.platform })) : [];
  return { queued: rows.length, refs, held };
}

/**
 * One attempt of one price push (a job of the platform's queue): claim it, call the platform through
 * its port, record the outcome with the platform's own words, and re-render the card. A push already
 * done, held, or of an older round does nothing — so a job that runs twice pushes once.
 */
export async function sendPricePush(deps: SendDeps, ref: { id: number; round: number }): Promise<SendOutcome> {
  const now = deps.clock.now();
  const claimed = await claimPricePush(deps.pool, ref.id, ref.round, now);
  if (!claimed) return { status: 'skipped' };
  const record = async (write: (tx: pg.PoolClient, at: Date) => Promise<void>) => {
    const version = await withTransaction(deps.pool, async (tx) => {
      const at = deps.clock.now();
      await write(tx, at);
      return touchPriceChange(tx, claimed.changeId, at);
    }, { actor: 'system', via: 'push' });
    await deps.cardChanged(priceCardKey(claimed.changeId), version);
  };
  const port = deps.ports.portFor(claimed.target.platform, claimed.target.shop);
  if (!port.ok) {
    await record((tx, at) => pricePushFailed(tx, claimed.id, { kind: 'permanent', code: 'orderops_no_shop', message: port.reason, final: true }, at));
    return { status: 'failed', message: port.reason };
  }
  try {
    await port.port.setPrice(claimed.target, claimed.price);
  } catch (e) {
    const err = e instanceof ShopPushError ? e : new ShopPushError('transient', 'error', (e as Error).message);
    if (err.kind === 'throttled') {
      await record((tx, at) => pricePushThrottled(tx, claimed.id, err.platformMessage, at));
      return { status: 'throttled', retryAfterMs: err.retryAfterMs ?? 1000, message: err.platformMessage };
    }
    const final = err.kind === 'permanent' || claimed.attempts >= deps.sync.attempts;
    await record((tx, at) => pricePushFailed(tx, claimed.id, { kind: err.kind, code: err.code, message: err.platformMessage, final }, at));
    return final ? { status: 'failed', message: err.platformMessage } : { status: 'retry', message: err.platformMessage };
  }
  await record((tx, at) => pricePushed(tx, claimed, at));
  return { status: 'pushed' };
}
