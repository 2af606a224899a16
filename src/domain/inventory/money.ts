/** Money as decimal strings in the currency's unit, computed in whole cents (never floats). */
const MONEY = /^(\d{1,12})(?:\.(\d{1,2}))?$/;

/** "599" | "599.5" | "599.50" → 59950n; null when it is not a non-negative amount with ≤ 2 decimals. */
export function toCents(v: string | number): bigint | null {
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v.trim();
  const m = MONEY.exec(s);
  if (!m) return null;
  return BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
}

/** 59950n → "599.50"; -150n → "-1.50". */
export function fromCents(c: bigint): string {
  const neg = c < 0n;
  const a = neg ? -c : c;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}

/** Normalise an amount ("599.5" → "599.50"), or null when it is not one. */
export function normalizeMoney(v: string | number): string | null {
  const c = toCents(v);
  return c === null ? null : fromCents(c);
}
