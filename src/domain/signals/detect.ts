/**
 * Platform signals, judged purely from an order's state and the clock: the ship-by deadline
 * (warning, then breach), a refund on an unshipped or shipped order, and what the carrier says
 * about the parcel (no pickup, stalled, refused). Returns the exceptions that should be open now and
 * the timers that wake the order up when the next one comes due — the caller stores both.
 */
import type { MessageRef } from '../message';
import type { HoldReason, OrderStatus, RefundStatus } from '../orders/order';
import type { Severity } from '../orders/rules-types';
import type { SignalSettings, SignalType } from './settings';

export type TimerKind = 'ship_warning' | 'ship_breach' | 'pickup' | 'tracking_stalled';

export interface ShipmentState {
  /** Tracked: subscribed at 快递100 or heard of through the generic tracking webhook. */
  tracked: boolean;
  shippedAt: Date | null;
  pickedUpAt: Date | null;
  lastEventAt: Date | null;
  /** Our words for the carrier's last state: picked_up, in_transit, delivering, delivered, refused, returned, problem … */
  state: string | null;
  /** 快递100 stopped watching it (abort): "3天查询无记录" (never seen) or "60天无变化". */
  aborted: boolean;
}

export interface SignalInput {
  channel: string;
  status: OrderStatus;
  stage: string;
  presale: boolean;
  holdReason: HoldReason | null;
  refundStatus: RefundStatus | null;
  paidAt: Date | null;
  shipByAt: Date | null;
  /** Ship-by was computed from the config default, not given by the platform. */
  shipByEstimated: boolean;
  shipment: ShipmentState | null;
}

export interface SignalFinding {
  type: SignalType;
  rule: string;
  reason: MessageRef;
  /** ship_overdue: warning, then breach. */
  step?: 'warning' | 'breach';
  /** Overrides the route's severity (a breach is critical). */
  severity?: Severity;
}

export interface SignalTimer {
  kind: TimerKind;
  dueAt: Date;
}

export interface SignalVerdict {
  findings: SignalFinding[];
  /** Timers to keep armed (due in the future or due now: a due one fires with this verdict). */
  timers: SignalTimer[];
  /** Ship-by counting applies (paid, not shipped, not held, no refund): the card shows time left. */
  shipByActive: boolean;
}

const HOUR = 3_600_000;
const SHIPPED = new Set(['shipped', 'delivered']);

/** The per-channel rule, if the channel has one. */
export const shipByRule = (s: SignalSettings, channel: string) => s.shipBy[channel];

/**
 * The ship-by deadline when the platform gave none: `default_hours` after payment. Presale orders
 * get no default — they ship when the presale says, which only the platform knows.
 */
export function defaultShipBy(s: SignalSettings, channel: string, paidAt: Date | null, presale: boolean): Date | null {
  const hours = shipByRule(s, channel)?.defaultHours;
  if (hours === null || hours === undefined || !paidAt || presale) return null;
  return new Date(paidAt.getTime() + hours * HOUR);
}

export function detectSignals(o: SignalInput, s: SignalSettings, now: Date): SignalVerdict {
  const findings: SignalFinding[] = [];
  const timers: SignalTimer[] = [];
  const t = now.getTime();
  const live = o.status === 'paid' || o.status === 'partially_paid' || o.status === 'completed';
  const shipped = SHIPPED.has(o.stage);
  const refundOpen = o.refundStatus === 'requested' || o.holdReason === 'refund_pending' || o.holdReason === 'intercept';

  // Refund requested: do not ship (or, once shipped, intercept the parcel).
  if (live && refundOpen && o.stage !== 'delivered') {
    findings.push({
      type: 'refund_pending',
      rule: shipped ? 'refund_pending.intercept' : 'refund_pending.hold',
      reason: { key: shipped ? 'signal.reason.refund_intercept' : 'signal.reason.refund_hold', params: { status: o.refundStatus ?? o.holdReason ?? '' } },
    });
  }

  // Ship-by: only for a paid order still in the warehouse, not held and without a refund.
  const shipByActive = o.status === 'paid' && !shipped && o.holdReason === null && !refundOpen && o.shipByAt !== null;
  if (shipByActive) {
    const due = o.shipByAt!.getTime();
    const warnAt = due - (shipByRule(s, o.channel)?.warnHours ?? 6) * HOUR;
    const params = { shipBy: o.shipByAt!.toISOString(), estimated: o.shipByEstimated };
    if (t >= due) findings.push({ type: 'ship_overdue', rule: 'ship_overdue.breach', step: 'breach', severity: 'critical', reason: { key: 'signal.reason.ship_breach', params } });
    else if (t >= warnAt) findings.push({ type: 'ship_overdue', rule: 'ship_overdue.warning', step: 'warning', severity: 'warning', reason: { key: 'signal.reason.ship_warning', params } });
    timers.push({ kind: 'ship_warning', dueAt: new Date(warnAt) }, { kind: 'ship_breach', dueAt: new Date(due) });
  }

  const p = o.shipment;
  if (p && p.tracked && shipped && live) trackingFindings(p, o.stage, s, t, findings, timers);
  return { findings, timers, shipByActive };
}

const REFUSED = new Set(['refused', 'returned']);

function trackingFindings(p: ShipmentState, stage: string, s: SignalSettings, t: number, findings: SignalFinding[], timers: SignalTimer[]): void {
  if (p.state && REFUSED.has(p.state)) {
    findings.push({ type: 'delivery_refused', rule: `delivery_refused.${p.state}`, reason: { key: `signal.reason.${p.state}` } });
    return;
  }
  if (stage === 'delivered' || p.state === 'delivered') return;
  const seen = p.pickedUpAt ?? p.lastEventAt;
  if (!seen) {
    // Shipped but the carrier never picked it up: 虚假发货 risk on Pinduoduo after 24 h.
    if (!p.shippedAt) return;
    const due = p.shippedAt.getTime() + s.tracking.pickupHours * HOUR;
    if (t >= due || p.aborted) {
      findings.push({ type: 'pickup_overdue', rule: p.aborted ? 'pickup_overdue.abort' : 'pickup_overdue.hours', reason: { key: 'signal.reason.pickup_overdue', params: { hours: s.tracking.pickupHours } } });
    }
    timers.push({ kind: 'pickup', dueAt: new Date(due) });
    return;
  }
  const last = (p.lastEventAt ?? seen).getTime();
  const due = last + s.tracking.stalledHours * HOUR;
  if (t >= due || p.aborted) {
    findings.push({
      type: 'tracking_stalled', rule: p.aborted ? 'tracking_stalled.abort' : 'tracking_stalled.hours',
      reason: { key: 'signal.reason.tracking_stalled', params: { hours: s.tracking.stalledHours, since: new Date(last).toISOString() } },
    });
  }
  timers.push({ kind: 'tracking_stalled', dueAt: new Date(due) });
}
