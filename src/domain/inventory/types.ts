import type { StaffRole } from '../staff';

/**
 * A channel pool: units of a SKU set aside for some channels (e.g. the Douyin live stream), either a
 * fixed number (`reserve`) or a share of the stock on hand (`weightBp`, basis points: 3000 = 30 %).
 * Orders from a pool's channels take from it first; with `overflow` they may then take from the
 * shared remainder, which every channel without a pool sells from.
 */
export interface PoolRule {
  name: string;
  /** Order channels / listing platforms (douyin, taobao, jd, pinduoduo, …) this pool serves. */
  channels: string[];
  /** Only these shops of those channels; null = every shop. */
  shops: string[] | null;
  reserve: number | null;
  weightBp: number | null;
  overflow: boolean;
}

/** `inventory:` in orderops.yml, after validation and defaults. */
export interface InventorySettings {
  /** Reserve stock at order processing (off: the stock-out check reads skus.stock as before). */
  enabled: boolean;
  /** Whose channel shows the low-stock, consistency and price cards. */
  team: string;
  /** For SKUs without a threshold of their own: a low-stock card opens below it. */
  lowStockThreshold: number;
  /** Pools of every SKU not listed in `skuPools`. */
  pools: PoolRule[];
  /** Per-SKU pools; they replace the default pools for that SKU. */
  skuPools: Record<string, PoolRule[]>;
  /** How far a listing may differ from the master and still count as consistent. */
  tolerance: { stock: number; price: string };
  report: {
    enabled: boolean;
    /** HH:MM in `timezone`. */
    time: string;
    timezone: string;
    /** Percent, e.g. 99. */
    goal: number;
    /** Deviations listed on the card (the rest are in the CSV). */
    worst: number;
  };
  /** Who may approve or reject a price change. */
  priceApproverRoles: StaffRole[];
  /**
   * When an order ships its reservation ends: `deduct` also takes its units off `stock` (orderops
   * keeps the count between imports); `release` only frees them (an ERP sync lowers stock itself).
   */
  onShip: 'deduct' | 'release';
}

export const DEFAULT_INVENTORY: InventorySettings = {
  enabled: true,
  team: 'warehouse',
  lowStockThreshold: 10,
  pools: [],
  skuPools: {},
  tolerance: { stock: 0, price: '0.00' },
  report: { enabled: true, time: '09:00', timezone: 'Asia/Shanghai', goal: 99, worst: 10 },
  priceApproverRoles: ['supervisor', 'manager', 'admin'],
  onShip: 'deduct',
};
