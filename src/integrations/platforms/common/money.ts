/**
 * Money as exact decimal strings, never floats. Chinese platforms send fen (integer minor units,
 * Douyin) or yuan (strings on Taobao/JD, numbers on PDD); the internal order wants "599.00".
 */

/** Integer fen (number or digit string) → yuan string; null when not a whole number of fen. */
export function fenToYuan(v: unknown): string | null {
  const s = typeof v === 'number' ? (Number.isSafeInteger(v) ? String(v) : '') : typeof v === 'string' ? v.trim() : '';
  if (!/^-?\d+$/.test(s)) return null;
  const fen = BigInt(s);
  const neg = fen < 0n;
  const abs = neg ? -fen : fen;
  return `${neg ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** A yuan amount (string or number, at most 2 significant decimals) → "12.30"; null if not one. */
export function toYuan(v: unknown): string | null {
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : typeof v === 'string' ? v.trim() : '';
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return null;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > 2) return null; // sub-fen amounts are not money we can keep exactly
  return `${m[1]}${BigInt(m[2]!).toString()}.${frac.padEnd(2, '0')}`;
}

/** Exact a − b of two yuan strings. */
export function subtractYuan(a: string, b: string): string {
  const cents = (x: string) => BigInt(x.replace('.', ''));
  return fenToYuan((cents(a) - cents(b)).toString())!;
}

/** Unit price = line amount / qty when it divides exactly into whole fen; otherwise undefined. */
export function unitPriceFromFen(lineFen: unknown, qty: number): string | undefined {
  const total = fenToYuan(lineFen);
  if (total === null || !Number.isInteger(qty) || qty <= 0) return undefined;
  const fen = BigInt(total.replace('.', ''));
  return fen % BigInt(qty) === 0n ? fenToYuan((fen / BigInt(qty)).toString())! : undefined;
}
