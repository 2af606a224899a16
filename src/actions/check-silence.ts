import type pg from 'pg';
import { decideSilence } from '../domain/cards/silence-card';
import type { ShopSettings } from '../domain/reconcile/shop';
import type { Clock } from '../domain/ports';
import { insertAudit } from '../db/audit';

export interface SilenceDeps {
  pool: pg.Pool;
  clock: Clock;
  shops: ShopSettings[];
  timezone: string;
}

/**
 * For each shop with `silence:` configured: open one alert when no order arrived for its minutes
 * during its active hours, clear it when orders resume. Returns the alerts whose cards changed.
 */
export async function checkSilence(deps: SilenceDeps): Promise<{ id: number; version: number }[]> {
  const now = deps.clock.now();
  const changed: { id: number; version: number }[] = [];
  for (const shop of deps.shops) {
    if (!shop.silence) continue;
    const { rows } = await deps.pool.query<{ last: Date | null }>(
      'SELECT max(received_at) AS last FROM orders WHERE source = $1 AND shop = $2',
      [shop.source, shop.silence.orderShop],
    );
    const lastOrderAt = rows[0]?.last ?? null;
    const open = (await deps.pool.query<{ id: number; opened_at: Date }>(
      `SELECT id, opened_at FROM silence_alerts WHERE shop_id = $1 AND status = 'open'`,
      [shop.id],
    )).rows[0];
    const decision = decideSilence({
      now, lastOrderAt, minutes: shop.silence.minutes, activeHours: shop.silence.activeHours, timezone: deps.timezone,
      open: open ? { openedAt: open.opened_at } : null,
    });
    if (decision === 'open') {
      const ins = await deps.pool.query<{ id: number; version: number }>(
        `INSERT INTO silence_alerts (shop_id, source, team, minutes, last_order_at, opened_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (shop_id) WHERE status = 'open' DO NOTHING RETURNING id, version`,
        [shop.id, shop.source, shop.team, shop.silence.minutes, lastOrderAt, now],
      );
      if (ins.rows[0]) {
        changed.push(ins.rows[0]);
        await insertAudit(deps.pool, { actor: 'system', source: 'silence', entity: 'silence', entityId: ins.rows[0].id, action: 'silence.opened', details: { shop: shop.id, last_order_at: lastOrderAt } });
      }
    } else if (decision === 'clear' && open) {
      const upd = await deps.pool.query<{ id: number; version: number }>(
        `UPDATE silence_alerts SET status = 'cleared', cleared_at = $2, last_order_at = $3, version = version + 1
         WHERE id = $1 AND status = 'open' RETURNING id, version`,
        [open.id, now, lastOrderAt],
      );
      if (upd.rows[0]) changed.push(upd.rows[0]);
    }
  }
  return changed;
}
