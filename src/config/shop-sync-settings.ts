import { DEFAULT_SHOP_SYNC, type ShopSyncSettings } from '../domain/shop/settings';
import type { FileConfig } from './schema';

/** The signed outbound webhook to the seller's ERP / mini-program (`erp_webhook:`). */
export interface ErpWebhookSettings {
  url: string;
  /** Name of the environment variable holding the HMAC secret. */
  secretEnv: string;
  /** The order channel its stock figure is computed for (pools). */
  channel: string;
  /** Which changes it is told of. */
  prices: boolean;
  stock: boolean;
  orders: boolean;
}

export const DEFAULT_ERP_SECRET_ENV = 'ORDEROPS_OUTBOUND_SECRET';

export function toShopSync(s: FileConfig['shop_sync'], erp: FileConfig['erp_webhook']): ShopSyncSettings {
  const d = DEFAULT_SHOP_SYNC;
  return {
    enabled: s?.enabled ?? d.enabled,
    rateLimits: { ...d.rateLimits, ...Object.fromEntries(Object.entries(s?.rate_limits ?? {}).filter(([, v]) => v !== undefined)) },
    stockCoalesceSeconds: s?.stock_coalesce_seconds ?? d.stockCoalesceSeconds,
    attempts: s?.attempts ?? d.attempts,
    nightGuard: {
      enabled: s?.night_guard?.enabled ?? d.nightGuard.enabled,
      window: { from: s?.night_guard?.from ?? d.nightGuard.window.from, to: s?.night_guard?.to ?? d.nightGuard.window.to },
    },
    listings: {
      enabled: s?.listings?.enabled ?? d.listings.enabled,
      everyMinutes: s?.listings?.every_minutes ?? d.listings.everyMinutes,
      beforeReportMinutes: s?.listings?.before_report_minutes ?? d.listings.beforeReportMinutes,
    },
    webhookChannel: erp?.channel ?? d.webhookChannel,
    poolRoles: s?.pool_roles ?? d.poolRoles,
  };
}

export function toErpWebhook(e: FileConfig['erp_webhook']): ErpWebhookSettings | null {
  if (!e) return null;
  return {
    url: e.url,
    secretEnv: e.secret_env ?? DEFAULT_ERP_SECRET_ENV,
    channel: e.channel ?? DEFAULT_SHOP_SYNC.webhookChannel,
    prices: e.prices ?? true,
    stock: e.stock ?? true,
    orders: e.orders ?? true,
  };
}
