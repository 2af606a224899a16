import type { ChatUser } from '../../domain/staff';
import type { Notice } from '../../domain/ports';
import type { StoredDeviation } from '../../db/inventory-report';
import { findStaffByChatUser } from '../../db/staff';
import { insertAudit } from '../../db/audit';
import { withTransaction } from '../../db/pool';
import { requestPriceChange, type PriceDeps } from '../inventory/price-changes';
import type { PoolDeps } from './set-pool';

export type PushMasterResult = { ok: true; notice: Notice } | { ok: false; reason: 'not_found' | 'unknown_user' | 'forbidden' | 'nothing_to_do'; notice: Notice; refresh: boolean };

/**
 * 推送主数据 / Push master value on a deviation of the daily report (never automatic): a stock
 * deviation sends the listing its sellable figure at once; a price deviation asks for a price change
 * scoped to that listing — the master price still goes through approval before any shop gets it.
 * `line` is the deviation's 1-based position on the report card.
 */
export async function pushMasterValue(
  deps: { prices: PriceDeps; pools: PoolDeps },
  click: { requestId: number; version: number; user: ChatUser; via: string },
): Promise<PushMasterResult> {
  const { pool, clock } = deps.pools;
  const staff = await findStaffByChatUser(pool, click.user);
  if (!staff) return { ok: false, reason: 'unknown_user', notice: { key: 'notice.unknown_user', vars: { userId: click.user.userId } }, refresh: false };
  if (!deps.pools.roles.includes(staff.role)) return { ok: false, reason: 'forbidden', notice: { key: 'shop.pool.forbidden', vars: { roles: deps.pools.roles.join(' / ') } }, refresh: false };
  const { rows } = await pool.query<{ worst: StoredDeviation[] }>('SELECT worst FROM consistency_reports WHERE id = $1', [click.requestId]);
  const line = rows[0]?.worst[click.version - 1];
  if (!line) return { ok: false, reason: 'not_found', notice: { key: 'shop.notice.deviation_not_found' }, refresh: false };
  if (!line.known) return { ok: false, reason: 'nothing_to_do', notice: { key: 'shop.notice.unknown_sku_no_push', vars: { sku: line.sku } }, refresh: false };
  const parts: string[] = [];
  if (!line.stockOk) {
    const now = clock.now();
    await withTransaction(pool, async (tx) => {
      await tx.query(
        `INSERT INTO stock_pushes AS s (sku, platform, shop, dirty_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (sku, platform, shop) DO UPDATE SET dirty_at = EXCLUDED.dirty_at, updated_at = EXCLUDED.updated_at`,
        [line.sku, line.platform, line.shop, now],
      );
      await insertAudit(tx, {
        actor: `staff:${staff.id}`, source: click.via, entity: 'consistency_report', entityId: click.requestId, action: 'stock.push_master',
        details: { sku: line.sku, platform: line.platform, shop: line.shop, listing: line.listingStock, expected: line.expectedStock },
      });
    }, { actor: `staff:${staff.id}`, via: click.via });
    await deps.pools.pushNow?.().catch(() => undefined);
    parts.push('stock');
  }
  if (!line.priceOk) {
    const { rows: m } = await pool.query<{ price: string | null }>('SELECT price FROM skus WHERE sku = $1', [line.sku]);
    const master = m[0]?.price;
    if (master) {
      const r = await requestPriceChange(deps.prices, {
        sku: line.sku, price: master, requestedBy: staff.id, via: click.via, scope: { platform: line.platform, shop: line.shop },
        reason: `report #${click.requestId}: ${line.platform}${line.shop ? `/${line.shop}` : ''} shows ${line.listingPrice ?? '?'}`,
      });
      if (!r.ok) return { ok: false, reason: 'nothing_to_do', notice: { key: 'shop.notice.price_request_refused', vars: { message: r.message } }, refresh: false };
      parts.push('price');
    }
  }
  if (parts.length === 0) return { ok: false, reason: 'nothing_to_do', notice: { key: 'shop.notice.no_deviation' }, refresh: true };
  return { ok: true, notice: { key: `shop.notice.push_master_${parts.join('_')}`, vars: { sku: line.sku, platform: line.platform } } };
}
