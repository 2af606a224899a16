import type { IncomingOrder, WriteResult } from '../../db/order-writes';

export type VerifyResult = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' | 'not_configured' };

import type { ItemError } from '../../domain/platforms/ports';

export type { ItemError } from '../../domain/platforms/ports';

export type ParseOutcome = { ok: true; orders: IncomingOrder[] } | { ok: false; errors: ItemError[] };

/**
 * One shop platform's push format: how its requests are authenticated and how its payload maps onto
 * internal orders. The webhook route does the rest (limits, reject table, group commit, answers).
 */
export interface OrderSource {
  name: string;
  verify(body: Buffer, headers: Record<string, string | string[] | undefined>): VerifyResult;
  /** `payload` is JSON.parse of the body; `ctx` has the raw bytes (ids beyond 2^53 must be re-read from them). */
  parse(payload: unknown, ctx: ParseContext): ParseOutcome;
  /** The 200 body the platform expects (Douyin wants `{"code":0,"msg":"success"}`); default: the write results. */
  successBody?(results: WriteResult[]): unknown;
  /** Advice for refusals: the signature header the platform sends and the env var holding its secret. */
  help?: { signatureHeader: string; secretEnv: string };
}

export interface ParseContext {
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
  /** When the request arrived (ISO 8601); a fallback for messages that carry no time. */
  receivedAt: string;
}
