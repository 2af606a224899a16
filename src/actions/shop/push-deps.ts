import type pg from 'pg';
import type { Clock } from '../../domain/ports';
import type { ShopPorts } from '../../domain/shop/shop-port';
import type { ShopSyncSettings } from '../../domain/shop/settings';
import type { InventorySettings } from '../../domain/inventory/types';

/** A push job to trigger after commit: a price push of a round, or a dirty stock row. */
export type PushRef =
  | { kind: 'price'; id: number; round: number; platform: string }
  | { kind: 'stock'; sku: string; platform: string; shop: string; dirtyAt: Date }
  | { kind: 'order'; id: number; platform: 'webhook' };

/** What writing to the outbox needs: the settings that decide what is written, and the trigger. */
export interface OutboxDeps {
  sync: ShopSyncSettings;
  timezone: string;
  /** The seller's own webhook takes prices / stock (erp_webhook with its secret). */
  webhook: { prices: boolean; stock: boolean; channel: string } | null;
  /** Enqueue the jobs of what was written (after commit; the sweep catches a lost one). */
  pushQueued(refs: PushRef[]): Promise<void>;
}

/** What sending needs: the store, the clock, the shop ports, and how to re-render a card. */
export interface SendDeps {
  pool: pg.Pool;
  clock: Clock;
  ports: ShopPorts;
  sync: ShopSyncSettings;
  inventory: Pick<InventorySettings, 'pools' | 'skuPools'>;
  webhookChannel: string | null;
  cardChanged(key: string, version: number): Promise<void>;
}

/** What a job should do after one attempt. */
export type SendOutcome =
  | { status: 'pushed' | 'unchanged' | 'skipped' }
  | { status: 'retry'; message: string }
  | { status: 'throttled'; retryAfterMs: number; message: string }
  | { status: 'failed'; message: string };
