import type { PlatformsConfig } from '../../config';
import type { ShopSettings, ShopSource } from '../../domain/reconcile/shop';
import type { HttpOptions } from './common/http-client';
import { PlatformApiError } from './common/http-client';
import type { MapResult } from './common/platform-order';
import type { IncomingOrder, Puller, PullerFor, PullerResult } from '../../domain/platforms/ports';
import { fetchDouyinOrder, type DouyinApiOptions } from './douyin/api-client';
import { mapDouyinOrder } from './douyin/order-map';
import { fetchTaobaoTrade, type TaobaoPullOptions } from './taobao/pull';
import { mapTaobaoTrade } from './taobao/order-map';
import { fetchPddOrder, type PddPullOptions } from './pinduoduo/pull';
import { mapPddOrder } from './pinduoduo/order-map';
import { pullDouyinOrders } from './douyin/pull';
import { pullJdOrders, type JdPullOptions } from './jd/pull';
import { pullPddOrders } from './pinduoduo/pull';
import { pullShopifyOrders, type ShopifyPullOptions } from './shopify/pull';
import { pullTaobaoOrders } from './taobao/pull';

export type { Puller, PullerFor, PullerResult } from '../../domain/platforms/ports';

/** A fetched order that does not map is not retried: the platform would answer the same. */
function mapped(source: string, raw: unknown, map: (o: Record<string, unknown>) => MapResult): IncomingOrder {
  const r = map(raw as Record<string, unknown>);
  if (!r.ok) throw new PlatformApiError(source, 'unmappable', r.errors.map((e) => `${e.field} ${e.message}`).join('; '), false);
  return { order: r.order, raw };
}


/** Extra options for every client (an injected fetch or clock in tests). */
export type PullerHttp = HttpOptions & { now?: () => Date };


const APP_ENV: Record<ShopSource, string> = {
  douyin: 'DOUYIN_APP_KEY and DOUYIN_APP_SECRET',
  shopify: '',
  taobao: 'TAOBAO_APP_KEY and TAOBAO_APP_SECRET',
  pinduoduo: 'PDD_CLIENT_ID and PDD_CLIENT_SECRET',
  jd: 'JD_APP_KEY and JD_APP_SECRET',
};

/**
 * The registry: a shop's source → its pull client with the app credentials and base URL from
 * config and the shop's own token (read from the env var its `token_env` names).
 *
 * @example
 *   const r = pullerFor(shop, config.platforms, config.shopTokens[shop.id]);
 *   if (r.ok) for await (const page of r.puller.pull({ since, until })) …
 */
export function pullerFor(shop: ShopSettings, platforms: PlatformsConfig, token: string | undefined, http: PullerHttp = {}): PullerResult {
  const c = clientFor(shop, platforms, token, http);
  if (!c.ok) return c;
  switch (c.source) {
    case 'douyin': {
      const opts = c.opts;
      return {
        ok: true,
        puller: {
          source: 'douyin',
          pull: (w) => pullDouyinOrders(w, opts),
          fetch: async (id) => mapped('douyin', await fetchDouyinOrder(opts, id), mapDouyinOrder),
        },
      };
    }
    case 'shopify':
      // Without the read_all_orders scope Shopify serves the last 60 days only.
      return { ok: true, puller: { source: 'shopify', pull: (w) => pullShopifyOrders(w, c.opts), maxLookbackDays: 60 } };
    case 'taobao': {
      const opts = c.opts;
      // The increment API serves the last three months.
      return {
        ok: true,
        puller: {
          source: 'taobao', pull: (w) => pullTaobaoOrders(w, opts), maxLookbackDays: 90,
          fetch: async (tid) => mapped('taobao', await fetchTaobaoTrade(opts, tid), mapTaobaoTrade),
        },
      };
    }
    case 'pinduoduo': {
      const opts = c.opts;
      return {
        ok: true,
        puller: {
          source: 'pinduoduo', pull: (w) => pullPddOrders(w, opts),
          fetch: async (sn) => mapped('pinduoduo', await fetchPddOrder(opts, sn), (o) => mapPddOrder(o, shop.id)),
        },
      };
    }
    case 'jd':
      return { ok: true, puller: { source: 'jd', pull: (w) => pullJdOrders(w, c.opts) } };
  }
}

/** One shop's signed API client options: what its pulls, detail fetches and pushes all use. */
export type ShopClient =
  | { ok: true; source: 'douyin'; opts: DouyinApiOptions }
  | { ok: true; source: 'shopify'; opts: ShopifyPullOptions }
  | { ok: true; source: 'taobao'; opts: TaobaoPullOptions }
  | { ok: true; source: 'pinduoduo'; opts: PddPullOptions }
  | { ok: true; source: 'jd'; opts: JdPullOptions }
  | { ok: false; reason: string };

/**
 * A configured shop → its client options: the app credentials and base URL from config and the
 * shop's own token (read from the env var its `token_env` names), or why it cannot be called.
 */
export function clientFor(shop: ShopSettings, platforms: PlatformsConfig, token: string | undefined, http: PullerHttp = {}): ShopClient {
  const label = `shop "${shop.id}" (${shop.source})`;
  if (!token) {
    return {
      ok: false,
      reason: shop.tokenEnv
        ? `${label} has no access token: set the environment variable ${shop.tokenEnv} (named by token_env in orderops.yml)`
        : `${label} has no access token: add token_env (the name of the environment variable that holds it) to the shop in orderops.yml`,
    };
  }
  const needApp = () => ({ ok: false as const, reason: `${label} needs the platform app credentials: set ${APP_ENV[shop.source]}` });
  switch (shop.source) {
    case 'douyin': {
      const p = platforms.douyin;
      if (!p.appKey || !p.appSecret) return needApp();
      return { ok: true, source: 'douyin', opts: { ...http, baseUrl: p.apiUrl, appKey: p.appKey, appSecret: p.appSecret, accessToken: token } };
    }
    case 'shopify': {
      if (!shop.shopDomain) return { ok: false, reason: `${label} needs shop_domain (e.g. example.myshopify.com) in orderops.yml` };
      // SHOPIFY_API_URL replaces every shop's origin (a local stand-in); orders keep the real domain.
      const baseUrl = platforms.shopify.apiUrl ?? `https://${shop.shopDomain}`;
      return { ok: true, source: 'shopify', opts: { ...http, baseUrl, accessToken: token, shop: shop.shopDomain } };
    }
    case 'taobao': {
      const p = platforms.taobao;
      if (!p.appKey || !p.appSecret) return needApp();
      return { ok: true, source: 'taobao', opts: { ...http, baseUrl: p.apiUrl, appKey: p.appKey, appSecret: p.appSecret, session: token } };
    }
    case 'pinduoduo': {
      const p = platforms.pdd;
      if (!p.clientId || !p.clientSecret) return needApp();
      // PDD orders carry no mall id: the configured shop id stands in for it.
      return { ok: true, source: 'pinduoduo', opts: { ...http, baseUrl: p.apiUrl, clientId: p.clientId, clientSecret: p.clientSecret, accessToken: token, shop: shop.id } };
    }
    case 'jd': {
      const p = platforms.jd;
      if (!p.appKey || !p.appSecret) return needApp();
      return { ok: true, source: 'jd', opts: { ...http, baseUrl: p.apiUrl, appKey: p.appKey, appSecret: p.appSecret, accessToken: token } };
    }
  }
}

/** The registry bound to one configuration: what the action, the job and the command use. */
export function configuredPullers(platforms: PlatformsConfig, tokens: Readonly<Record<string, string>>, http: PullerHttp = {}): PullerFor {
  return (shop) => pullerFor(shop, platforms, tokens[shop.id], http);
}
