import type pg from 'pg';
import type { Clock } from '../../domain/ports';
import type { InventorySettings } from '../../domain/inventory/types';
import type { Locale } from '../../present/i18n';
import type { ImportDeps } from './import-skus';
import type { ReportDeps } from './consistency-report';
import type { OutboxDeps } from '../shop/push-deps';
import type { PoolDeps } from '../shop/set-pool';
import { pushMasterValue, type PushMasterResult } from '../shop/push-master';
import type { StaffRole } from '../../domain/staff';
import { decidePriceChange, handlePriceAction, requestPriceChange, type PriceDecisionInput, type PriceDecisionResult, type PriceDeps, type PriceRequestInput, type PriceRequestResult } from './price-changes';

/**
 * The inventory use cases bound to their dependencies, built once by the composition root and
 * handed to the HTTP routes, the jobs and the chat fronts.
 *
 * @example
 *   // a chat front, on a click of a price card button (action id price.approve / price.reject):
 *   const r = await deps.inventory.handlePriceAction({ action: actionId, requestId, version, user, via: 'slack' });
 *   // r.notice is the private reply; the card re-renders by itself.
 *   // a /price <sku> <amount> command:
 *   await deps.inventory.requestPriceChange({ sku, price, requestedBy: staff.id, via: 'slack' });
 */
export interface InventoryActions {
  prices: PriceDeps;
  imports: ImportDeps;
  reports: ReportDeps;
  /** Channel pools set from chat and the CLI (`/orderops pool …`). */
  pools: PoolDeps;
  requestPriceChange(input: PriceRequestInput): Promise<PriceRequestResult>;
  decidePriceChange(input: PriceDecisionInput): Promise<PriceDecisionResult>;
  /** Every `{requestId, version}` button: the price card's and the report's 推送主数据 (report.push_master). */
  handlePriceAction(click: Parameters<typeof handlePriceAction>[1]): Promise<Awaited<ReturnType<typeof handlePriceAction>> | PushMasterResult>;
}

export function createInventoryActions(o: {
  pool: pg.Pool;
  clock: Clock;
  locale: Locale;
  inventory: InventorySettings;
  publicUrl?: string;
  apiToken?: string;
  cardChanged(key: string, version: number): Promise<void>;
  /** The push outbox: approved prices go to the shops (absent: recorded as by hand). */
  outbox?: OutboxDeps;
  /** Who may set pools, and how to push their figures at once. */
  poolRoles?: StaffRole[];
  pushNow?(): Promise<void>;
}): InventoryActions {
  const pools: PoolDeps = { pool: o.pool, clock: o.clock, inventory: o.inventory, roles: o.poolRoles ?? ['supervisor', 'manager', 'admin'], pushNow: o.pushNow };
  const prices: PriceDeps = { pool: o.pool, clock: o.clock, locale: o.locale, inventory: o.inventory, cardChanged: o.cardChanged, outbox: o.outbox };
  return {
    prices,
    imports: { pool: o.pool, clock: o.clock, inventory: o.inventory, cardChanged: o.cardChanged },
    reports: { pool: o.pool, clock: o.clock, inventory: o.inventory, publicUrl: o.publicUrl, apiToken: o.apiToken },
    pools,
    requestPriceChange: (input) => requestPriceChange(prices, input),
    decidePriceChange: (input) => decidePriceChange(prices, input),
    handlePriceAction: (click) => (click.action === 'report.push_master' ? pushMasterValue({ prices, pools }, click) : handlePriceAction(prices, click)),
  };
}

export { isPriceAction, PRICE_ACTIONS, type PriceActionId } from '../../domain/inventory/price-change';
export type { PriceDecisionInput, PriceDecisionResult, PriceRequestInput, PriceRequestResult } from './price-changes';
