import { ShopPushError } from '../../domain/shop/shop-port';
import { effectivePoolRows, sellableOf } from '../../db/inventory-report';
import { claimStockPush, stockPushed, stockPushFailed } from '../../db/shop-pushes';
import type { SendDeps, SendOutcome } from './push-deps';

/**
 * One attempt of one listing's stock push (a job of the platform's queue): claim the dirty row,
 * compute what the listing may sell now — the very figure the consistency report expects (pools,
 * reservations, overrides) — and set it as a full figure. A platform that already shows it gets no
 * call. A change made while this runs leaves the row dirty for the next tick.
 */
export async function sendStockPush(deps: SendDeps, key: { sku: string; platform: string; shop: string }): Promise<SendOutcome> {
  const now = deps.clock.now();
  const claimed = await claimStockPush(deps.pool, key, now);
  if (!claimed) return { status: 'skipped' };
  const pools = await effectivePoolRows(deps.pool, deps.inventory, [key.sku]);
  const figures = await sellableOf(deps.pool, pools, [key.sku], key.platform === 'webhook' ? deps.webhookChannel : null);
  const wanted = figures.get(`${key.platform}\u0000${key.shop}\u0000${key.sku}`);
  const fail = async (e: ShopPushError, final: boolean) =>
    stockPushFailed(deps.pool, claimed, { kind: e.kind, code: e.code, message: e.platformMessage, final, throttled: e.kind === 'throttled' }, wanted ?? null, deps.clock.now());
  if (wanted === undefined) {
    await fail(new ShopPushError('permanent', 'orderops_no_master', `${key.sku} has no master record or no longer lists on ${key.platform}`), true);
    return { status: 'failed', message: 'no master record' };
  }
  const shows = key.platform === 'webhook' ? claimed.pushed : claimed.target.lastStock;
  if (shows === wanted) {
    await stockPushed(deps.pool, claimed, wanted, false, deps.clock.now());
    return { status: 'unchanged' };
  }
  const port = deps.ports.portFor(key.platform, key.shop);
  if (!port.ok) {
    await fail(new ShopPushError('permanent', 'orderops_no_shop', port.reason), true);
    return { status: 'failed', message: port.reason };
  }
  try {
    await port.port.setStock(claimed.target, wanted);
  } catch (e) {
    const err = e instanceof ShopPushError ? e : new ShopPushError('transient', 'error', (e as Error).message);
    if (err.kind === 'throttled') {
      await fail(err, false);
      return { status: 'throttled', retryAfterMs: err.retryAfterMs ?? 1000, message: err.platformMessage };
    }
    const final = err.kind === 'permanent' || claimed.attempts >= deps.sync.attempts;
    await fail(err, final);
    return final ? { status: 'failed', message: err.platformMessage } : { status: 'retry', message: err.platformMessage };
  }
  await stockPushed(deps.pool, claimed, wanted, true, deps.clock.now());
  return { status: 'pushed' };
}
