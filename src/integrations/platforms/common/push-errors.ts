import { classifyError, ShopPushError, type ErrorRule } from '../../../domain/shop/shop-port';
import { PlatformApiError } from './http-client';

/**
 * Rules every platform shares, before its own table: HTTP 429 is throttling, 5xx, network errors and
 * answers that are not JSON are transient. A platform's table then maps its own codes.
 */
const TRANSPORT: readonly ErrorRule[] = [
  { code: 'http_429', kind: 'throttled' },
  { code: /^http_5\d\d$/, kind: 'transient' },
  { code: 'network', kind: 'transient' },
  { code: 'bad_json', kind: 'transient' },
];

/**
 * Any failure of a push call as a ShopPushError, classified by the transport rules and then the
 * platform's table (first match wins); unlisted errors follow the client's own retryable guess.
 */
export function toPushError(e: unknown, table: readonly ErrorRule[]): ShopPushError {
  if (e instanceof ShopPushError) return e;
  if (e instanceof PlatformApiError) {
    const kind = classifyError([...TRANSPORT, ...table], { code: e.code, message: e.detail }, e.retryable ? 'transient' : 'permanent');
    return new ShopPushError(kind, e.code, e.detail.slice(0, 300), e.retryAfterMs);
  }
  return new ShopPushError('transient', 'error', (e as Error)?.message?.slice(0, 300) ?? String(e));
}

/** Run a push call and turn whatever it throws into a classified ShopPushError. */
export async function pushCall<T>(table: readonly ErrorRule[], call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw toPushError(e, table);
  }
}

/** Refuse a push that lacks an id the platform needs (pull the listings first). */
export function need(value: string | undefined, what: string, platform: string): string {
  if (!value) {
    throw new ShopPushError('permanent', 'orderops_listing_ids_missing', `${platform}: ${what} unknown for this listing — run a listing pull (orderops listings pull) so its ids are stored`);
  }
  return value;
}

/** "599.5" → 59950 (fen/cents as a number: a price never reaches 2^53 cents). */
export function cents(price: string): number {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(price.trim());
  if (!m) throw new ShopPushError('permanent', 'orderops_bad_price', `not an amount: ${price}`);
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** 59950 → "599.50". */
export function yuan(fen: number | string | undefined): string | null {
  if (fen === undefined || fen === '' || fen === null) return null;
  const n = Number(fen);
  if (!Number.isSafeInteger(n) || n < 0) return null;
  return `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
}
