import type { MessageRef } from '../domain/message';
import type { Queryable } from './pool';
import { reasonsSql } from './reasons-sql';

export const EXCEPTION_STATUSES = ['open', 'claimed', 'resolved', 'escalated'] as const;
export type ExceptionStatus = (typeof EXCEPTION_STATUSES)[number];

export interface ExceptionView {
  id: number;
  order_id: number;
  source: string;
  order_external_id: string;
  type: string;
  rule: string;
  /** Why, as message keys (old rows: their text as one `reason.text` message). */
  reasons: MessageRef[];
  team: string;
  severity: string;
  status: ExceptionStatus;
  assignee: string | null;
  claimed_at: Date | null;
  resolved_at: Date | null;
  resolution: string | null;
  claim_due_at: Date;
  resolve_due_at: Date;
  /** wall: the SLA minutes ran round the clock; business: in the team's working time. */
  sla_clock: 'wall' | 'business';
  escalation_level: number;
  level1_sent: number;
  level2_sent: number;
  next_escalation_at: Date | null;
  /** ship_overdue: warning or breach. */
  step: string | null;
  order_priority: number;
  order_ship_by_at: Date | null;
  /** What was sent to whom (and what could not be routed), oldest first. */
  notifications: { kind: string; channel: string; recipient: string | null; status: string; detail: string | null; at: Date; not_before: Date | null }[];
  version: number;
  created_at: Date;
  updated_at: Date;
}

const EXCEPTION_COLUMNS = `e.id, e.order_id, o.source, o.external_id AS order_external_id, e.type, e.rule, ${reasonsSql('e')} AS reasons,
  e.team, e.severity, e.status, e.assignee, e.claimed_at, e.resolved_at, e.resolution, e.claim_due_at,
  e.resolve_due_at, e.sla_clock, e.escalation_level, e.level1_sent, e.level2_sent, e.next_escalation_at, e.version, e.created_at, e.updated_at,
  e.step, o.priority AS order_priority, o.ship_by_at AS order_ship_by_at,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('kind', n.kind, 'channel', n.channel, 'recipient', n.recipient,
     'status', n.status, 'detail', n.detail, 'at', coalesce(n.sent_at, n.created_at), 'not_before', n.not_before) ORDER BY n.id), '[]'::jsonb)
   FROM notifications n WHERE n.exception_id = e.id) AS notifications`;

export async function findOrder(db: Queryable, source: string, externalId: string) {
  const { rows } = await db.query(
    `SELECT id, source, external_id, channel, shop, status, stage, review_status, tags, priority, total, paid,
            currency, platform_created_at, platform_updated_at, received_at, updated_at, stage_changed_at,
            revision, processed_revision, paid_at, ship_by_at, shipped_at, times_estimated, refund_status, refund_at, hold_reason,
            (SELECT to_jsonb(s) - 'order_id' FROM shipments s WHERE s.order_id = orders.id) AS shipment,
            (SELECT coalesce(jsonb_agg(jsonb_build_object('kind', t.kind, 'due_at', t.due_at, 'fired_at', t.fired_at) ORDER BY t.due_at), '[]'::jsonb)
               FROM order_timers t WHERE t.order_id = orders.id) AS timers,
            data, address_override
     FROM orders WHERE source = $1 AND external_id = $2`,
    [source, externalId],
  );
  return rows[0] as Record<string, unknown> & { id: number; data: Record<string, unknown> } | undefined;
}

export async function exceptionsOfOrder(db: Queryable, orderId: number): Promise<ExceptionView[]> {
  const { rows } = await db.query<ExceptionView>(
    `SELECT ${EXCEPTION_COLUMNS} FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE e.order_id = $1 ORDER BY e.id`,
    [orderId],
  );
  return rows;
}

export async function historyOfOrder(db: Queryable, orderId: number) {
  const { rows } = await db.query(
    `SELECT at, event_at, revision, from_status, to_status, from_stage, to_stage, actor, source
     FROM order_history WHERE order_id = $1 ORDER BY id`,
    [orderId],
  );
  return rows;
}

export interface ExceptionQuery {
  statuses?: ExceptionStatus[];
  /** Any of these types (none: every type). */
  types?: string[];
  /** Any of these teams (none: every team). */
  teams?: string[];
  /** Keyset cursor: only ids below this one (newest first). */
  before?: number;
  limit: number;
  /** `priority` (default): the order's priority, then the earliest ship-by, then newest; `newest`: by id. */
  sort?: 'priority' | 'newest';
  /** Keyset cursor of the priority sort (from `next_cursor`). */
  after?: { priority: number; shipBy: Date | null; id: number };
}

export async function listExceptions(db: Queryable, q: ExceptionQuery): Promise<ExceptionView[]> {
  const { rows } = await db.query<ExceptionView>(
    `SELECT ${EXCEPTION_COLUMNS} FROM exceptions e JOIN orders o ON o.id = e.order_id
     WHERE ($1::text[] IS NULL OR e.status = ANY($1))
       AND ($2::text[] IS NULL OR e.type = ANY($2))
       AND ($3::text[] IS NULL OR e.team = ANY($3))
       AND ($4::bigint IS NULL OR e.id < $4)
       AND ($6::int IS NULL OR (-o.priority, coalesce(o.ship_by_at, 'infinity'::timestamptz), -e.id)
            > (-$6::int, coalesce($7::timestamptz, 'infinity'::timestamptz), -$8::bigint))
     ORDER BY ${q.sort === 'newest' ? 'e.id DESC' : "o.priority DESC, coalesce(o.ship_by_at, 'infinity'::timestamptz), e.id DESC"} LIMIT $5`,
    [q.statuses ?? null, q.types ?? null, q.teams ?? null, q.before ?? null, q.limit, q.after?.priority ?? null, q.after?.shipBy ?? null, q.after?.id ?? null],
  );
  return rows;
}
