import type { IncomingOrder } from '../../db/order-writes';

export type VerifyResult = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' | 'not_configured' };

export interface ItemError {
  /** Position in a posted array; absent for a single order. */
  index?: number;
  field: string;
  message: string;
}

export type ParseOutcome = { ok: true; orders: IncomingOrder[] } | { ok: false; errors: ItemError[] };

/**
 * One shop platform's push format: how its requests are authenticated and how its payload maps onto
 * internal orders. The webhook route does the rest (limits, reject table, group commit, answers).
 */
export interface OrderSource {
  name: string;
  verify(body: Buffer, headers: Record<string, string | string[] | undefined>): VerifyResult;
  parse(payload: unknown): ParseOutcome;
}
