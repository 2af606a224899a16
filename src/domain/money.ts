/**
 * Money, in one place. Amounts travel as decimal strings in the currency's major unit ("599.00"),
 * Postgres keeps them as `numeric`, and arithmetic is exact (decimal.js) — never a float.
 *
 * The rules:
 * 1. Reading. An amount is a string or a JS number whose printed form (`String(n)`) is a plain
 *    decimal: optional sign, digits, optional fraction. Exponents ("1e3"), NaN, Infinity, blanks and
 *    anything else are not amounts. A float sum such as 0.1 + 0.2 prints as 0.30000000000000004
 *    and is therefore refused wherever money must have at most two decimals.
 * 2. Scale. Money that is stored has at most 2 decimals (分, cents). Trailing zeros do not count
 *    ("1.230" is 1.23); a third significant decimal is refused, never rounded: rounding would invent
 *    or lose money the platform did not send.
 * 3. Printing. Always exactly 2 decimals, "-" for a negative: "599.50", "-1.50".
 * 4. Minor units. Whole fen / cents convert exactly (59900 → "599.00"); a unit price is the line
 *    amount divided by the quantity only when that divides into whole fen — otherwise there is none.
 * 5. Comparing. Comparisons take any scale, exactly: a paid 598.999 is short of a total of 599.00.
 * 6. Rounding happens only for numbers that are not money (a price change in percent): half up, to
 *    2 decimals.
 */
import Decimal from 'decimal.js';

/** An isolated decimal.js: 40 significant digits (far beyond any amount), half-up rounding. */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
type Dec = InstanceType<typeof D>;

const PLAIN = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** Rule 1: an amount of any scale, or null. @example readAmount(' 12.30 ') // 12.3 */
function readAmount(v: unknown): Dec | null {
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : typeof v === 'string' ? v.trim() : '';
  return PLAIN.test(s) ? new D(s) : null;
}

/** Rules 2 and 3. */
const print = (d: Dec): string => d.toFixed(2);
const hasCents = (d: Dec): boolean => d.decimalPlaces() <= 2;

/**
 * An amount in the major unit (string or number, at most 2 significant decimals) → "12.30"; null if
 * it is not one. Negative amounts are allowed (refunds, differences).
 * @example toYuan('12.5') // '12.50'   toYuan('1.230') // '1.23'   toYuan('1.234') // null
 */
export function toYuan(v: unknown): string | null {
  const d = readAmount(v);
  return d && hasCents(d) ? print(d) : null;
}

/**
 * A price as people type it into the master record: not negative, at most 12 digits before the
 * point and 2 significant after → "599.50"; null when it is not one.
 * @example normalizeMoney('599.5') // '599.50'   normalizeMoney('-1') // null
 */
export function normalizeMoney(v: string | number): string | null {
  const d = readAmount(v);
  if (!d || !hasCents(d) || d.isNegative() || d.trunc().toFixed(0).length > 12) return null;
  return print(d);
}

/** Rule 4: integer fen (number or digit string) → "599.00"; null when not a whole number of fen. */
export function fenToYuan(v: unknown): string | null {
  const s = typeof v === 'number' ? (Number.isSafeInteger(v) ? String(v) : '') : typeof v === 'string' ? v.trim() : '';
  return /^-?\d+$/.test(s) ? print(new D(s).div(100)) : null;
}

/** Exact a − b of two amounts (each as `toYuan` reads it). @example subtractYuan('0.30', '0.10') // '0.20' */
export function subtractYuan(a: string, b: string): string {
  const x = readAmount(a);
  const y = readAmount(b);
  if (!x || !y) throw new Error(`subtractYuan: not amounts: ${a}, ${b}`);
  return print(x.minus(y));
}

/** Rule 4: unit price = line amount (fen) / qty when it divides into whole fen; otherwise undefined. */
export function unitPriceFromFen(lineFen: unknown, qty: number): string | undefined {
  const total = fenToYuan(lineFen);
  if (total === null || !Number.isInteger(qty) || qty <= 0) return undefined;
  const unit = new D(total).div(qty);
  return hasCents(unit) ? print(unit) : undefined;
}

/**
 * Rule 5: exact comparison of two amounts of any scale (-1, 0, 1), or null if either is not one.
 * @example compareDecimal('599.00', '599') // 0   compareDecimal('598.999', '599') // -1
 */
export function compareDecimal(a: string, b: string): -1 | 0 | 1 | null {
  const x = readAmount(a);
  const y = readAmount(b);
  return x && y ? (x.comparedTo(y) as -1 | 0 | 1) : null;
}

/** Exact b − a of two amounts, printed with 2 decimals, or null if either is not money (rule 2). */
export function moneyDifference(a: string, b: string): string | null {
  const x = readAmount(a);
  const y = readAmount(b);
  return x && y && hasCents(x) && hasCents(y) ? print(y.minus(x)) : null;
}

/** |a| as a number of the major unit, for scores and ratios that are not money themselves. */
export function amountValue(v: string): number | null {
  const d = readAmount(v);
  return d ? d.toNumber() : null;
}

/**
 * Rule 6: the change from `before` to `after` in percent, rounded half up to 2 decimals, or null
 * when either is not an amount or `before` is zero.
 * @example percentChange('100', '112.345') // 12.35
 */
export function percentChange(before: string, after: string): number | null {
  const o = readAmount(before);
  const n = readAmount(after);
  if (!o || !n || o.isZero()) return null;
  return n.minus(o).times(100).div(o).toDecimalPlaces(2, D.ROUND_HALF_UP).toNumber();
}
