import type { AppConfig } from '../config';
import { genericSource } from '../integrations/platforms/generic/generic-source';
import { douyinSource } from '../integrations/platforms/douyin/douyin-source';
import { shopifySource } from '../integrations/platforms/shopify/shopify-source';
import type { OrderSource } from '../integrations/platforms/source';

/** The sources `POST /webhooks/orders/:source` takes, by name (also what `orderops rejected replay` replays through). */
export function orderSources(config: Pick<AppConfig, 'webhookSecret' | 'platforms'>): Map<string, OrderSource> {
  return new Map<string, OrderSource>([
    ['generic', genericSource(config.webhookSecret)],
    ['douyin', douyinSource(config.platforms.douyin)],
    ['shopify', shopifySource(config.platforms.shopify.webhookSecret)],
  ]);
}
