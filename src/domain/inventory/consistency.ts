/**
 * Consistency maths: one platform listing against the master record. The report computes the same
 * in SQL over every listing (db/inventory-report.ts); these functions are the specification the
 * unit tests pin and the integration test compares the SQL with.
 */
import { amountValue, compareDecimal, moneyDifference } from '../money';

export interface ListingComparison {
  /** The SKU has a master record. A listing of an unknown SKU is never consistent. */
  known: boolean;
  /** What this platform/shop should show: the units its channel may sell (pools applied). */
  expectedStock: number | null;
  listingStock: number | null;
  masterPrice: string | null;
  listingPrice: string | null;
}

export interface Tolerance {
  /** Units a listing's stock may differ by. */
  stock: number;
  /** Amount a listing's price may differ by, e.g. "0.00" or "1.00". */
  price: string;
}

export interface Deviation {
  /** listing − expected, null when either side is unknown. */
  stockDiff: number | null;
  /** listing − master, as an amount ("-300.00"), null when either side is unknown. */
  priceDiff: string | null;
  stockOk: boolean;
  priceOk: boolean;
  consistent: boolean;
  /** Ranks deviations, worst first: the larger relative gap of stock and price (unknown SKUs first). */
  score: number;
}

export const UNKNOWN_SKU_SCORE = 1e9;

export function compareListing(c: ListingComparison, tol: Tolerance): Deviation {
  const stockDiff = c.known && c.expectedStock !== null && c.listingStock !== null ? c.listingStock - c.expectedStock : null;
  const priceDiff = c.known && c.masterPrice !== null && c.listingPrice !== null ? moneyDifference(c.masterPrice, c.listingPrice) : null;
  const gap = priceDiff === null ? null : priceDiff.replace(/^-/, '');
  const stockOk = c.known && (stockDiff === null || Math.abs(stockDiff) <= tol.stock);
  const priceOk = c.known && (gap === null || (compareDecimal(gap, tol.price) ?? 1) <= 0);
  let score = 0;
  if (!c.known) score = UNKNOWN_SKU_SCORE;
  else {
    if (!stockOk && stockDiff !== null) score = Math.max(score, Math.abs(stockDiff) / Math.max(c.expectedStock ?? 0, 1));
    // Relative to the master price, at least one cent of it.
    if (!priceOk && gap !== null) score = Math.max(score, amountValue(gap)! / Math.max(amountValue(c.masterPrice!)!, 0.01));
  }
  return {
    stockDiff,
    priceDiff,
    stockOk,
    priceOk,
    consistent: stockOk && priceOk,
    score,
  };
}

/**
 * The consistency rate in percent, floored to two decimals so 99.996 % never shows as 100 %; null
 * when nothing was compared.
 */
export function consistencyRate(consistent: number, checked: number): number | null {
  if (checked <= 0) return null;
  return Math.floor((consistent * 10_000) / checked) / 100;
}

/** Exact (no rounding): 990 of 1000 meets 99 %, 989 does not. */
export function meetsGoal(consistent: number, checked: number, goalPercent: number): boolean {
  return checked === 0 || consistent * 100 >= goalPercent * checked;
}

/** "98.5" → "98.5 %"-ready text: at most two decimals, no trailing zeros. */
export function formatPercent(rate: number): string {
  return String(Math.round(rate * 100) / 100);
}
