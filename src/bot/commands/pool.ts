import { setPool, type PoolResult } from '../../actions/shop/set-pool';
import { loadPoolOverrides } from '../../db/pool-overrides';
import { t, type Locale } from '../../present/i18n';
import { renderMessage } from '../../present/i18n/message';
import { platformLabel } from '../../present/cards/inventory-card-texts';
import { textAnswer, type OrderopsCommand } from './command';

/**
 * `/orderops pool LAMP-01 douyin 30` (Feishu `@bot 库存池 LAMP-01 douyin 30`): reserve 30 units of
 * LAMP-01 for the Douyin channel (a live stream), `off` to return to orderops.yml, or just the SKU to
 * see its overrides. The new sellable figures go to every shop at once.
 */
export const poolCommand: OrderopsCommand = {
  name: 'pool',
  aliases: ['库存池', '预留'],
  usageKey: 'shop.pool.usage',
  async run(deps, ctx, args) {
    const parts = args.split(' ').filter(Boolean);
    const { locale } = ctx;
    if (parts.length === 1) {
      const sku = parts[0]!;
      const list = (await loadPoolOverrides(deps.pool, [sku])).get(sku) ?? [];
      return textAnswer((e) => list.length === 0
        ? t(locale, 'shop.pool.none', { sku: e(sku) })
        : t(locale, 'shop.pool.list', { sku: e(sku), pools: list.map((o) => `${e(o.channel)} ${o.reserve}`).join(' · ') }));
    }
    const m = parts.length === 3 ? /^(\d{1,10}|off|关闭)$/i.exec(parts[2]!) : null;
    if (!m) return textAnswer(() => t(locale, 'shop.pool.usage'));
    const reserve = /^\d/.test(m[1]!) ? Number(m[1]) : null;
    const r = await setPool(deps.inventory.pools, { sku: parts[0]!, channel: parts[1]!.toLowerCase(), reserve, staff: ctx.staff, via: ctx.platform });
    return textAnswer((e) => poolAnswer(r, locale, e));
  },
};

/** The answer to a pool change: what was set, and what each shop may sell now. */
export function poolAnswer(r: PoolResult, locale: Locale, escape: (s: string) => string): string {
  if (!r.ok) return renderMessage(locale, r.reason, escape);
  const head = t(locale, r.reserve === null ? 'shop.pool.cleared' : 'shop.pool.set', {
    sku: escape(r.sku), channel: platformLabel(r.channel, locale, { escape }), reserve: r.reserve ?? 0, previous: r.previous ?? '—',
  });
  if (r.sellable.length === 0) return `${head}\n${t(locale, 'shop.pool.no_listings')}`;
  const several = (p: string) => r.sellable.filter((x) => x.platform === p).length > 1;
  const figures = r.sellable.map((s) => `${platformLabel(s.platform, locale, { escape })}${s.shop && several(s.platform) ? `/${escape(s.shop)}` : ''} ${s.quantity}`).join(' · ');
  return `${head}\n${t(locale, 'shop.pool.sellable', { figures })}`;
}
