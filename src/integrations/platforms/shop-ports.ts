import type { PlatformsConfig } from '../../config';
import type { ShopSettings } from '../../domain/reconcile/shop';
import type { ShopPort, ShopPorts } from '../../domain/shop/shop-port';
import { erpWebhookPort } from '../outbound/erp-webhook';
import { douyinShopPort } from './douyin/shop-port';
import { jdShopPort } from './jd/shop-port';
import { pddShopPort } from './pinduoduo/shop-port';
import { clientFor, type PullerHttp } from './pullers';
import { pacedFetch } from './common/paced-fetch';
import { shopifyShopPort } from './shopify/shop-port';
import { taobaoShopPort } from './taobao/shop-port';

export interface ShopPortsConfig {
  platforms: PlatformsConfig;
  shops: ShopSettings[];
  tokens: Readonly<Record<string, string>>;
  /** The seller's own endpoint (`erp_webhook:`), when configured with its secret. */
  webhook?: { url: string; secret: string; channel: string };
  http?: PullerHttp;
  /** Per-platform client options, e.g. a paced fetch for listing pulls (overrides `http`). */
  httpFor?: (platform: string) => PullerHttp;
}

/** The configured shop a listing's shop value names: its id, its order_shop, or the platform's only shop. */
export function shopOfListing(shops: ShopSettings[], platform: string, shop: string): ShopSettings | undefined {
  const same = shops.filter((s) => s.source === platform);
  return same.find((s) => s.id === shop || s.orderShop === shop) ?? (same.length === 1 ? same[0] : undefined);
}

/**
 * The registry of shop ports: a listing's platform and shop → the adapter with that shop's signed
 * client (the same credentials and base URL as its order pulls), built once per shop.
 *
 * @example
 *   const ports = createShopPorts({ platforms: config.platforms, shops: settings.shops, tokens: config.shopTokens });
 *   const r = ports.portFor('jd', 'jd-main'); if (r.ok) await r.port.setStock(target, 70);
 */
export function createShopPorts(c: ShopPortsConfig): ShopPorts & { shopPort(shop: ShopSettings): { ok: true; port: ShopPort } | { ok: false; reason: string } } {
  const cache = new Map<string, ShopPort>();
  const shopPort = (shop: ShopSettings): { ok: true; port: ShopPort } | { ok: false; reason: string } => {
    const hit = cache.get(shop.id);
    if (hit) return { ok: true, port: hit };
    const client = clientFor(shop, c.platforms, c.tokens[shop.id], c.httpFor?.(shop.source) ?? c.http);
    if (!client.ok) return client;
    const port = (() => {
      switch (client.source) {
        case 'douyin': return douyinShopPort(client.opts);
        case 'taobao': return taobaoShopPort(client.opts);
        case 'pinduoduo': return pddShopPort(client.opts);
        case 'jd': return jdShopPort(client.opts);
        case 'shopify': return shopifyShopPort(client.opts);
      }
    })();
    cache.set(shop.id, port);
    return { ok: true, port };
  };
  const webhook = c.webhook ? erpWebhookPort({ ...c.http, url: c.webhook.url, secret: c.webhook.secret }, c.webhook.channel) : undefined;
  return {
    shopPort,
    portFor(platform, shop) {
      if (platform === 'webhook') {
        return webhook ? { ok: true, port: webhook } : { ok: false, reason: 'no erp_webhook is configured' };
      }
      const s = shopOfListing(c.shops, platform, shop);
      if (!s) {
        return { ok: false, reason: `no shop of ${platform}${shop ? ` "${shop}"` : ''} under shops: in orderops.yml — add it (with token_env) so orderops can push to it` };
      }
      return shopPort(s);
    },
  };
}

/**
 * Ports for listing pulls: a pull makes many calls inside one job, so each platform's calls are
 * paced in-process at its configured rate (`shop_sync.rate_limits`), one pacer per platform.
 */
export function pacedShopPorts(c: Omit<ShopPortsConfig, 'httpFor' | 'http'>, rates: Readonly<Record<string, number>>): ReturnType<typeof createShopPorts> {
  const paced = new Map(Object.entries(rates).map(([p, rate]) => [p, { fetch: pacedFetch(rate) }]));
  return createShopPorts({ ...c, httpFor: (p) => paced.get(p) ?? {} });
}
