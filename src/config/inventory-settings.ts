import { DEFAULT_INVENTORY, type InventorySettings, type PoolRule } from '../domain/inventory/types';
import type { FileConfig } from './schema';

function toPools(m: Record<string, { channels: string[]; shops?: string[]; reserve?: number; weight?: number; overflow?: boolean }>): PoolRule[] {
  return Object.entries(m).map(([name, p]) => ({
    name,
    channels: p.channels,
    shops: p.shops ?? null,
    reserve: p.reserve ?? null,
    weightBp: p.weight !== undefined ? Math.round(p.weight * 10_000) : null,
    overflow: p.overflow ?? true,
  }));
}

export function toInventory(i: FileConfig['inventory'], timezone: string): InventorySettings {
  const d = DEFAULT_INVENTORY;
  return {
    enabled: i?.enabled ?? d.enabled,
    team: i?.team ?? d.team,
    lowStockThreshold: i?.low_stock_threshold ?? d.lowStockThreshold,
    pools: toPools(i?.pools ?? {}),
    skuPools: Object.fromEntries(Object.entries(i?.sku_pools ?? {}).map(([sku, m]) => [sku, toPools(m)])),
    tolerance: { stock: i?.tolerance?.stock ?? d.tolerance.stock, price: i?.tolerance?.price ?? d.tolerance.price },
    report: {
      enabled: i?.report?.enabled ?? d.report.enabled,
      time: i?.report?.time ?? d.report.time,
      timezone: i?.report?.timezone ?? timezone,
      goal: i?.report?.goal ?? d.report.goal,
      worst: i?.report?.worst ?? d.report.worst,
    },
    priceApproverRoles: i?.price_approver_roles ?? d.priceApproverRoles,
    onShip: i?.on_ship ?? d.onShip,
  };
}

