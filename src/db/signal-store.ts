import type { HoldReason, OrderStatus, RefundStatus } from '../domain/orders/order';
import type { TimerKind } from '../domain/signals/detect';
import { SIGNAL_TYPES } from '../domain/signals/settings';
import type { Queryable } from './pool';

/** The order as the signals step reads it (the caller holds the row lock). */
export interface SignalRow {
  id: number;
  externalId: string;
  channel: string;
  status: OrderStatus;
  stage: string;
  tags: string[];
  priority: number;
  quiet: boolean;
  holdReason: HoldReason | null;
  refundStatus: RefundStatus | null;
  paidAt: Date | null;
  shipByAt: Date | null;
  shippedAt: Date | null;
  timesEstimated: string[];
  presale: boolean;
  trackingNo: string | null;
  carrier: string | null;
}

export interface ShipmentRow {
  trackingNo: string;
  carrier: string | null;
  provider: string;
  subscription: 'none' | 'pending' | 'subscribed' | 'failed' | 'closed';
  shippedAt: Date | null;
  pickedUpAt: Date | null;
  lastEventAt: Date | null;
  state: string | null;
  deliveredAt: Date | null;
  abortedAt: Date | null;
}

export async function readSignalRow(db: Queryable, orderId: number): Promise<{ order: SignalRow; shipment: ShipmentRow | null } | null> {
  const { rows } = await db.query<SignalRow & { s_tracking_no: string | null } & Record<string, unknown>>(
    `SELECT o.id, o.external_id AS "externalId", o.channel, o.status, o.stage, o.tags, o.priority, o.quiet,
       o.hold_reason AS "holdReason", o.refund_status AS "refundStatus", o.paid_at AS "paidAt", o.ship_by_at AS "shipByAt",
       o.shipped_at AS "shippedAt", o.times_estimated AS "timesEstimated", coalesce((o.data->>'presale')::boolean, false) AS presale,
       o.data->'logistics'->>'trackingNo' AS "trackingNo", o.data->'logistics'->>'carrier' AS carrier,
       s.tracking_no AS s_tracking_no, s.carrier AS s_carrier, s.provider AS s_provider, s.subscription AS s_subscription,
       s.shipped_at AS s_shipped_at, s.picked_up_at AS s_picked_up_at, s.last_event_at AS s_last_event_at, s.state AS s_state,
       s.delivered_at AS s_delivered_at, s.aborted_at AS s_aborted_at
     FROM orders o LEFT JOIN shipments s ON s.order_id = o.id WHERE o.id = $1`,
    [orderId],
  );
  const r = rows[0];
  if (!r) return null;
  const shipment: ShipmentRow | null = r.s_tracking_no
    ? {
        trackingNo: r.s_tracking_no, carrier: r.s_carrier as string | null, provider: r.s_provider as string,
        subscription: r.s_subscription as ShipmentRow['subscription'], shippedAt: r.s_shipped_at as Date | null,
        pickedUpAt: r.s_picked_up_at as Date | null, lastEventAt: r.s_last_event_at as Date | null, state: r.s_state as string | null,
        deliveredAt: r.s_delivered_at as Date | null, abortedAt: r.s_aborted_at as Date | null,
      }
    : null;
  return { order: r, shipment };
}

/** A new or changed tracking number: tracking starts over (pending a subscription where a provider is set). */
export async function upsertShipment(
  db: Queryable,
  s: { orderId: number; trackingNo: string; carrier: string | null; shippedAt: Date | null; provider: string; subscribe: boolean },
): Promise<void> {
  await db.query(
    `INSERT INTO shipments (order_id, tracking_no, carrier, shipped_at, provider, subscription)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (order_id) DO UPDATE SET tracking_no = EXCLUDED.tracking_no, carrier = coalesce(EXCLUDED.carrier, shipments.carrier),
       shipped_at = coalesce(EXCLUDED.shipped_at, shipments.shipped_at), provider = EXCLUDED.provider, subscription = EXCLUDED.subscription,
       subscription_error = NULL, subscribed_at = NULL, picked_up_at = NULL, last_event_at = NULL, state = NULL, last_state_code = NULL,
       last_context = NULL, delivered_at = NULL, refused_at = NULL, aborted_at = NULL, abort_message = NULL, events = '[]'::jsonb, updated_at = now()
     WHERE shipments.tracking_no IS DISTINCT FROM EXCLUDED.tracking_no`,
    [s.orderId, s.trackingNo, s.carrier, s.shippedAt, s.provider, s.subscribe ? 'pending' : 'none'],
  );
}

export async function setSubscription(db: Queryable, orderId: number, subscription: ShipmentRow['subscription'], error: string | null = null): Promise<void> {
  await db.query(
    `UPDATE shipments SET subscription = $2, subscription_error = $3,
       subscribed_at = CASE WHEN $2 = 'subscribed' THEN now() ELSE subscribed_at END, updated_at = now()
     WHERE order_id = $1`,
    [orderId, subscription, error],
  );
}

export interface SignalException {
  id: number;
  type: string;
  status: string;
  version: number;
  step: string | null;
  severity: string;
}

export async function lockSignalExceptions(db: Queryable, orderId: number): Promise<SignalException[]> {
  const { rows } = await db.query<SignalException>(
    'SELECT id, type, status, version, step, severity FROM exceptions WHERE order_id = $1 AND type = ANY($2) FOR UPDATE',
    [orderId, SIGNAL_TYPES],
  );
  return rows;
}

export interface TimerRow {
  kind: TimerKind;
  dueAt: Date;
  firedAt: Date | null;
}

export async function readTimers(db: Queryable, orderId: number): Promise<TimerRow[]> {
  const { rows } = await db.query<TimerRow>('SELECT kind, due_at AS "dueAt", fired_at AS "firedAt" FROM order_timers WHERE order_id = $1', [orderId]);
  return rows;
}

export async function openSeverities(db: Queryable, orderId: number): Promise<string[]> {
  const { rows } = await db.query<{ severity: string }>("SELECT severity FROM exceptions WHERE order_id = $1 AND status <> 'resolved'", [orderId]);
  return rows.map((r) => r.severity);
}

/** Unfired timers due by `until` (the sweep: overdue ones; at start, the next day's too). */
export async function dueTimers(db: Queryable, until: Date, limit = 5000): Promise<{ orderId: number; kind: TimerKind; dueAt: Date }[]> {
  const { rows } = await db.query<{ orderId: number; kind: TimerKind; dueAt: Date }>(
    `SELECT order_id AS "orderId", kind, due_at AS "dueAt" FROM order_timers WHERE fired_at IS NULL AND due_at <= $1 ORDER BY due_at LIMIT $2`,
    [until, limit],
  );
  return rows;
}
