/**
 * A warehouse stage update (ERP, scanner, a person): validated and judged purely, so the HTTP
 * route, a bulk CSV and tests agree on what is accepted.
 */
import { ORDER_STAGES, stageRank, type OrderStage, type OrderStatus } from './order';

export const SETTABLE_STAGES = ORDER_STAGES.filter((s) => s !== 'pending');

export interface StageUpdate {
  source: string;
  externalId: string;
  stage: OrderStage;
  /** The event time as the warehouse gives it (ISO 8601 with offset). */
  at: string;
  trackingNo?: string;
  carrier?: string;
}

export type StageFieldError = { field: string; message: string };

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/;
/** How far in the future an event time may lie (clock skew between the warehouse and us). */
export const FUTURE_SKEW_MS = 5 * 60_000;

/** Check one update's fields; `now` bounds event times in the future. */
export function checkStageUpdate(v: Record<string, unknown>, now: Date): { ok: true; update: StageUpdate } | { ok: false; errors: StageFieldError[] } {
  const errors: StageFieldError[] = [];
  const text = (k: string, max: number): string | undefined => {
    const x = v[k];
    if (x === undefined || x === null || x === '') return undefined;
    if (typeof x !== 'string' && typeof x !== 'number') return void errors.push({ field: k, message: 'must be a string' });
    const s = String(x).trim();
    if (s.length > max) return void errors.push({ field: k, message: `must be at most ${max} characters` });
    return s;
  };
  const source = text('source', 64);
  const externalId = text('external_id', 128);
  const stage = text('stage', 16);
  const at = text('at', 40);
  const trackingNo = text('tracking_number', 64);
  const carrier = text('carrier', 64);
  if (!source) errors.push({ field: 'source', message: 'is required' });
  if (!externalId) errors.push({ field: 'external_id', message: 'is required' });
  if (!stage) errors.push({ field: 'stage', message: 'is required' });
  else if (!(SETTABLE_STAGES as readonly string[]).includes(stage)) errors.push({ field: 'stage', message: `must be one of ${SETTABLE_STAGES.join(', ')}` });
  if (!at) errors.push({ field: 'at', message: 'is required: when it happened, ISO 8601 with an offset such as 2026-01-09T10:20:00+08:00' });
  else if (!ISO.test(at) || Number.isNaN(Date.parse(at))) errors.push({ field: 'at', message: 'must be ISO 8601 with an offset, e.g. 2026-01-09T10:20:00+08:00' });
  else if (Date.parse(at) > now.getTime() + FUTURE_SKEW_MS) errors.push({ field: 'at', message: 'is in the future: send the time the step happened' });
  if (trackingNo !== undefined && !/^[A-Za-z0-9-]{4,64}$/.test(trackingNo)) errors.push({ field: 'tracking_number', message: 'must be 4–64 letters, digits or -' });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, update: { source: source!, externalId: externalId!, stage: stage as OrderStage, at: at!, trackingNo, carrier } };
}

export type StageVerdict =
  | { apply: true }
  | { apply: false; result: 'unchanged' }
  | { apply: false; result: 'conflict'; reason: string };

const UNPAID: ReadonlySet<OrderStatus> = new Set(['created', 'pending_payment', 'payment_failed']);
const CLOSED: ReadonlySet<OrderStatus> = new Set(['cancelled', 'refunded', 'closed']);

/** May the order move to `stage`? Forward only; never for an unpaid or closed order. */
export function judgeStageUpdate(current: { status: OrderStatus; stage: OrderStage }, stage: OrderStage): StageVerdict {
  if (CLOSED.has(current.status)) return { apply: false, result: 'conflict', reason: `the order is ${current.status}: do not ship it` };
  if (UNPAID.has(current.status)) return { apply: false, result: 'conflict', reason: `the order is not paid (${current.status})` };
  const from = stageRank(current.stage);
  const to = stageRank(stage);
  if (to === from) return { apply: false, result: 'unchanged' };
  if (to < from) return { apply: false, result: 'conflict', reason: `the order is already ${current.stage}; stages only move forward` };
  return { apply: true };
}
