/** The shop platforms orderops can pull an order list from (one puller each). */
export const SHOP_SOURCES = ['douyin', 'shopify', 'taobao', 'pinduoduo', 'jd'] as const;
export type ShopSource = (typeof SHOP_SOURCES)[number];

/**
 * One shop under `shops:` in orderops.yml, after defaults. The access token is never in the file:
 * `tokenEnv` names the environment variable that holds it (readConfig reads it).
 */
export interface ShopSettings {
  id: string;
  source: ShopSource;
  /** Display name on cards; defaults to the id. */
  name: string;
  /** Whose channel gets this shop's reconcile cards. */
  team: string;
  tokenEnv?: string;
  /** Shopify: the shop's myshopify.com domain (its Admin API lives there). */
  shopDomain?: string;
  /** The shop value the platform's orders carry (Douyin `shop_id` …; default: the id). */
  orderShop: string;
  /** Silence detection: no orders for `minutes` within `activeHours` (local time) raises one card. */
  silence?: { minutes: number; activeHours: { from: string; to: string } | null; orderShop: string };
  reconcile: {
    enabled: boolean;
    /** How often the scheduled reconcile runs. */
    everyMinutes: number;
    /** Length of the sliding window it compares, ending (almost) now. */
    windowMinutes: number;
  };
}

export const RECONCILE_DEFAULTS = { enabled: true, everyMinutes: 30, windowMinutes: 180 } as const;
/** Reconcile cards go to this team unless the shop names one. */
export const RECONCILE_DEFAULT_TEAM = 'review';

/**
 * The configured shop an order belongs to: the one whose `order_shop` (or id, which PDD orders carry)
 * is the order's shop, or else the only shop of its source (most sellers run one shop per platform).
 */
export function shopOfOrder(shops: ShopSettings[], source: string, orderShop: string | undefined): ShopSettings | undefined {
  const same = shops.filter((s) => s.source === source);
  return same.find((s) => orderShop !== undefined && (s.orderShop === orderShop || s.id === orderShop)) ?? (same.length === 1 ? same[0] : undefined);
}
