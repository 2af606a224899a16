import { RECONCILE_DEFAULT_TEAM, RECONCILE_DEFAULTS, type ShopSettings } from '../domain/reconcile/shop';
import type { FileConfig } from './schema';
import type { ConfigProblem } from './config-errors';

export function toShop(s: NonNullable<FileConfig['shops']>[number]): ShopSettings {
  return {
    id: s.id,
    source: s.source,
    name: s.name ?? s.id,
    team: s.team ?? RECONCILE_DEFAULT_TEAM,
    ...(s.token_env !== undefined ? { tokenEnv: s.token_env } : {}),
    ...(s.shop_domain !== undefined ? { shopDomain: s.shop_domain } : {}),
    orderShop: s.order_shop ?? s.id,
    ...(s.silence
      ? { silence: { minutes: s.silence.minutes, activeHours: s.silence.active_hours ?? null, orderShop: s.silence.order_shop ?? s.order_shop ?? s.id } }
      : {}),
    reconcile: {
      enabled: s.reconcile?.enabled ?? RECONCILE_DEFAULTS.enabled,
      everyMinutes: s.reconcile?.every_minutes ?? RECONCILE_DEFAULTS.everyMinutes,
      windowMinutes: s.reconcile?.window_minutes ?? RECONCILE_DEFAULTS.windowMinutes,
    },
  };
}

export /** shops: unique ids, known teams, a domain for Shopify, and windows that leave no gap between runs. */
function shopProblems(f: FileConfig, teams: Set<string>, teamList: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const ids = new Set<string>();
  (f.shops ?? []).forEach((s, i) => {
    if (ids.has(s.id)) problems.push({ key: `shops.${i}.id`, message: `duplicate shop id "${s.id}"` });
    ids.add(s.id);
    const team = s.team ?? RECONCILE_DEFAULT_TEAM;
    if (!teams.has(team)) {
      problems.push({
        key: s.team ? `shops.${i}.team` : `shops.${i}`,
        message: s.team ? `team "${team}" is not under teams: (${teamList})` : `no team given and the default team "${team}" is not under teams: add team: (${teamList})`,
      });
    }
    if (s.source === 'shopify' && !s.shop_domain) problems.push({ key: `shops.${i}`, message: 'a Shopify shop needs shop_domain, e.g. example.myshopify.com' });
    if (s.source !== 'shopify' && s.shop_domain) problems.push({ key: `shops.${i}.shop_domain`, message: `only Shopify shops have a shop_domain (this one is ${s.source})` });
    const every = s.reconcile?.every_minutes ?? RECONCILE_DEFAULTS.everyMinutes;
    const window = s.reconcile?.window_minutes ?? RECONCILE_DEFAULTS.windowMinutes;
    if (window < every) {
      problems.push({
        key: `shops.${i}.reconcile.window_minutes`,
        message: `window_minutes (${window}) is shorter than every_minutes (${every}): orders updated between two runs would never be compared; make the window at least the interval (overlapping is safe)`,
      });
    }
  });
  return problems;
}
