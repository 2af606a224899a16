import { parseJsonLossless } from './lossless-json';
import type { Order, OrderStage, OrderStatus } from '../../../domain/orders/order';
import type { IncomingOrder } from '../../../domain/platforms/ports';
import type { ItemError } from '../source';

export type { HoldReason } from '../../../domain/orders/order';

/**
 * The internal order plus what the platforms add. The extra fields travel in `orders.data` (jsonb)
 * untouched by the rules engine until the domain model adopts them.
 */
export interface PlatformOrder extends Order {
  /** The platform's own status code(s) as sent, e.g. "105", "WAIT_SELLER_SEND_GOODS", "1/1/confirm=1". */
  platformStatus: string;
  /** Facts without a status of their own: partially_shipped, partially_refunded, address_changed … */
  flags: string[];
  /** Built from a thin push message, not a full order: items, amounts and address may be missing. */
  partial?: boolean;
  finishedAt?: string;
  /** Seller's flag colour 0–5 where the platform has one. */
  sellerFlag?: number;
  /** Receiver ciphertexts / open addressee id, kept exactly as given (never decrypted here). */
  receiverCipher?: { name?: string; phone?: string; detail?: string; oaid?: string };
}

/** The platform-neutral stages of §7.2 that platform data may move an order into. */
export type PlatformStage = 'pending_payment' | 'pending' | 'shipped' | 'completed' | 'cancelled' | 'refunded';

/**
 * §7.2 stage → internal status and stage. "pending" leaves the stage unset, so our own
 * reviewed/printed/packed stays (the upsert never rewinds a stage).
 */
export function statusOf(s: PlatformStage): { status: OrderStatus; stage?: OrderStage } {
  switch (s) {
    case 'pending_payment':
      return { status: 'pending_payment' };
    case 'pending':
      return { status: 'paid' };
    case 'shipped':
      return { status: 'paid', stage: 'shipped' };
    case 'completed':
      return { status: 'completed', stage: 'delivered' };
    case 'cancelled':
      return { status: 'cancelled' };
    case 'refunded':
      return { status: 'refunded' };
  }
}

export type MapResult = { ok: true; order: PlatformOrder } | { ok: false; errors: ItemError[] };

export type { PullPage } from '../../../domain/platforms/ports';

// Small readers for untyped platform JSON.
export type Json = Record<string, unknown>;
export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const obj = (v: unknown): Json => (isObj(v) ? v : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** A string or number as a trimmed string; '' and absent → undefined. */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}
export function int(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}
/** Drops undefined values so stored orders (and their hashes) do not depend on absent fields. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Maps one page of platform orders; a failing order is reported with its index, the rest go on. */
export function mapPage(list: unknown[], map: (o: Json) => MapResult): { orders: IncomingOrder[]; errors: ItemError[] } {
  const orders: IncomingOrder[] = [];
  const errors: ItemError[] = [];
  list.forEach((raw, index) => {
    const r = map(obj(raw));
    if (r.ok) orders.push({ order: r.order, raw });
    else errors.push(...r.errors.map((e) => ({ index, ...e })));
  });
  return { orders, errors };
}

/**
 * A message field that holds a JSON object encoded as a string (Douyin `data`, TMC and PDD
 * `content`), read losslessly; an object given as is is taken too. A problem goes into `errors`
 * under `field` and `{}` comes back.
 */
export function jsonObjectField(value: unknown, field: string, errors: ItemError[], missing = 'is required'): Json {
  if (typeof value === 'string') {
    try {
      const parsed = parseJsonLossless(value);
      if (isObj(parsed)) return parsed;
      errors.push({ field, message: 'must be a JSON object encoded as a string' });
    } catch (e) {
      errors.push({ field, message: `is not valid JSON: ${(e as Error).message}` });
    }
    return {};
  }
  if (isObj(value)) return value;
  errors.push({ field, message: missing });
  return {};
}
