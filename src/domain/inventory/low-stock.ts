/** One SKU's stock as the low-stock check sees it. */
export interface StockReading {
  sku: string;
  stock: number;
  reserved: number;
  /** The SKU's own threshold; null = the configured default. */
  threshold: number | null;
}

export interface OpenLowStock {
  id: number;
  sku: string;
  available: number;
  threshold: number;
}

export type LowStockChange =
  | { kind: 'open'; sku: string; available: number; threshold: number }
  | { kind: 'update'; alertId: number; sku: string; available: number; threshold: number }
  | { kind: 'clear'; alertId: number; sku: string; available: number };

/**
 * Compare SKUs' available stock with their thresholds and the open alerts: under the threshold
 * opens an alert (when `mayOpen`), a change while under updates it, at or above the threshold clears
 * it. Unchanged → nothing, so the card is not touched. A threshold of 0 never alerts.
 */
export function diffLowStock(readings: StockReading[], open: OpenLowStock[], defaultThreshold: number, mayOpen: boolean): LowStockChange[] {
  const bySku = new Map(open.map((a) => [a.sku, a]));
  const out: LowStockChange[] = [];
  for (const r of readings) {
    const available = Math.max(r.stock - r.reserved, 0);
    const threshold = r.threshold ?? defaultThreshold;
    const low = available < threshold;
    const a = bySku.get(r.sku);
    if (low && !a && mayOpen) out.push({ kind: 'open', sku: r.sku, available, threshold });
    else if (low && a && (a.available !== available || a.threshold !== threshold)) out.push({ kind: 'update', alertId: a.id, sku: r.sku, available, threshold });
    else if (!low && a) out.push({ kind: 'clear', alertId: a.id, sku: r.sku, available });
  }
  return out;
}
