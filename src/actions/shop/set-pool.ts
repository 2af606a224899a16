import type pg from 'pg';
import type { Clock } from '../../domain/ports';
import type { InventorySettings } from '../../domain/inventory/types';
import type { Staff, StaffRole } from '../../domain/staff';
import type { MessageRef } from '../../domain/message';
import { withTransaction } from '../../db/pool';
import { insertAudit } from '../../db/audit';
import { setPoolOverride } from '../../db/pool-overrides';
import { markStockDirty } from '../../db/shop-pushes';
import { effectivePoolRows, sellableOf } from '../../db/inventory-report';

export interface PoolDeps {
  pool: pg.Pool;
  clock: Clock;
  inventory: Pick<InventorySettings, 'pools' | 'skuPools'>;
  /** Who may set a pool (shop_sync.pool_roles). */
  roles: StaffRole[];
  /** Send the new figures now instead of at the next dispatcher tick (the bot; the CLI leaves it out). */
  pushNow?(): Promise<void>;
}

export interface PoolInput {
  sku: string;
  channel: string;
  /** Units reserved for the channel; null clears the override (back to orderops.yml). */
  reserve: number | null;
  staff: Staff;
  via: string;
}

export type PoolResult =
  | { ok: true; sku: string; channel: string; reserve: number | null; previous: number | null; sellable: { platform: string; shop: string; quantity: number }[] }
  | { ok: false; reason: MessageRef };

const CHANNEL = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * Set a channel's pool for a SKU from chat or the CLI (`/orderops pool LAMP-01 douyin 30`): the
 * reserve of the pool serving that channel becomes 30 for that SKU (overrides survive restarts;
 * `off` returns to orderops.yml). In the same transaction the SKU's figures are marked to push, so
 * every shop shows its new sellable stock within seconds. Permitted roles only; audited.
 */
export async function setPool(deps: PoolDeps, input: PoolInput): Promise<PoolResult> {
  if (!deps.roles.includes(input.staff.role)) return { ok: false, reason: { key: 'shop.pool.forbidden', params: { roles: deps.roles.join(' / ') } } };
  if (!CHANNEL.test(input.channel)) return { ok: false, reason: { key: 'shop.pool.bad_channel', params: { channel: input.channel } } };
  if (input.reserve !== null && (!Number.isSafeInteger(input.reserve) || input.reserve < 0 || input.reserve > 1_000_000_000)) {
    return { ok: false, reason: { key: 'shop.pool.bad_reserve' } };
  }
  const now = deps.clock.now();
  const result = await withTransaction(deps.pool, async (tx): Promise<PoolResult> => {
    const { rows } = await tx.query<{ stock: number }>('SELECT stock FROM skus WHERE sku = $1 FOR UPDATE', [input.sku]);
    if (!rows[0]) return { ok: false, reason: { key: 'shop.pool.unknown_sku', params: { sku: input.sku } } };
    const previous = await setPoolOverride(tx, { sku: input.sku, channel: input.channel, reserve: input.reserve, by: input.staff.id, via: input.via, now });
    await markStockDirty(tx, [input.sku], now);
    await insertAudit(tx, {
      actor: `staff:${input.staff.id}`, source: input.via, entity: 'sku', entityId: 0, action: 'stock.pool_set',
      before: { reserve: previous }, after: { reserve: input.reserve }, details: { sku: input.sku, channel: input.channel },
    });
    const figures = await sellableOf(tx, await effectivePoolRows(tx, deps.inventory, [input.sku]), [input.sku], null);
    const sellable = [...figures].map(([k, quantity]) => {
      const [platform, shop] = k.split('\u0000');
      return { platform: platform!, shop: shop!, quantity };
    }).sort((a, b) => (a.platform + a.shop < b.platform + b.shop ? -1 : 1));
    return { ok: true, sku: input.sku, channel: input.channel, reserve: input.reserve, previous, sellable };
  }, { actor: `staff:${input.staff.id}`, via: input.via });
  if (result.ok) await deps.pushNow?.().catch(() => undefined);
  return result;
}
