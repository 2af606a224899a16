import type { ExceptionCardInput, NotificationSummary } from '../domain/cards/exception-card';
import type { ExceptionStatus } from '../domain/exceptions/exception';
import type { Order } from '../domain/orders/order';
import type { Severity } from '../domain/orders/rules-types';
import type { MessageRef } from '../domain/message';
import type { Queryable } from './pool';
import { reasonsSql } from './reasons-sql';

export interface ExceptionRow {
  id: number;
  orderId: number;
  type: string;
  team: string;
  severity: Severity;
  reasons: MessageRef[];
  status: ExceptionStatus;
  assignee: string | null;
  escalationLevel: number;
  version: number;
  claimedAt: Date | null;
  resolvedAt: Date | null;
  resolution: string | null;
  claimDueAt: Date;
  resolveDueAt: Date;
  slaClock: 'wall' | 'business';
}

export const EXCEPTION_ROW_COLUMNS = `e.id, e.order_id AS "orderId", e.type, e.team, e.severity, ${reasonsSql('e')} AS reasons, e.status, e.assignee,
  e.escalation_level AS "escalationLevel", e.version, e.claimed_at AS "claimedAt", e.resolved_at AS "resolvedAt",
  e.resolution, e.claim_due_at AS "claimDueAt", e.resolve_due_at AS "resolveDueAt", e.sla_clock AS "slaClock"`;

/** The order as people should see it: a fixed address wins over what the platform sent. */
export const ORDER_VIEW = `(o.data || CASE WHEN o.address_override IS NULL THEN '{}'::jsonb
  ELSE jsonb_build_object('address', o.address_override) END || jsonb_build_object('tags', to_jsonb(o.tags)))`;

/** Everything a card needs, read in one query. */
export async function loadExceptionCardInput(db: Queryable, exceptionId: number): Promise<(ExceptionCardInput & { team: string }) | null> {
  const { rows } = await db.query<ExceptionRow & { order: Order & { tags: string[] }; notifications: NotificationSummary[]; a_name: string | null; a_slack: string | null; a_feishu: string | null }>(
    `SELECT ${EXCEPTION_ROW_COLUMNS}, ${ORDER_VIEW} AS "order",
            s.name AS a_name, s.slack_user_id AS a_slack, s.feishu_open_id AS a_feishu,
            (SELECT coalesce(jsonb_agg(jsonb_build_object('recipient', coalesce(r.name, n.recipient), 'channel', n.channel,
               'status', n.status, 'detail', n.detail) ORDER BY n.id), '[]'::jsonb)
             FROM notifications n LEFT JOIN staff r ON r.id = n.recipient WHERE n.exception_id = e.id) AS notifications
     FROM exceptions e JOIN orders o ON o.id = e.order_id LEFT JOIN staff s ON s.id = e.assignee
     WHERE e.id = $1`,
    [exceptionId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    team: r.team,
    exception: r,
    order: r.order,
    notifications: r.notifications,
    assignee: r.assignee
      ? { id: r.assignee, name: r.a_name ?? r.assignee, slackUserId: r.a_slack, feishuOpenId: r.a_feishu }
      : null,
  };
}
