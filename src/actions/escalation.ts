import type pg from 'pg';
import type { Logger } from 'pino';
import { nextEscalation, stepId, type EscalationStep, type SlaPolicy } from '../domain/sla/policy';
import { planEscalation, type ChannelRules, type PlannedNotification } from '../domain/sla/plan';
import { dutyAt, dutyRouting } from '../domain/sla/duty';
import type { WorkCalendar } from '../domain/calendar';
import type { ChatPort, Clock } from '../domain/ports';
import type { Staff } from '../domain/staff';
import type { ExceptionStatus } from '../domain/exceptions/exception';
import type { Severity } from '../domain/orders/rules-types';
import { insertAudit } from '../db/audit';
import { withTransaction, type Queryable } from '../db/pool';
import { findStaff, staffForEscalation } from '../db/staff';

export interface EscalationEngineDeps {
  pool: pg.Pool;
  clock: Clock;
  policy: SlaPolicy & ChannelRules;
  timezone: string;
  chats: ChatPort[];
  logger: Logger;
  /** Shifts and on-call: level 1 to the person on duty, off-shift holds and pages. Without it, as before. */
  calendar?: WorkCalendar;
}

interface SlaRow {
  id: number;
  team: string;
  severity: Severity;
  status: ExceptionStatus;
  assignee: string | null;
  claimDueAt: Date;
  resolveDueAt: Date;
  level1Sent: number;
  level2Sent: number;
  escalationLevel: number;
  version: number;
  nextAt: Date | null;
  nextStep: string | null;
}

const SLA_COLUMNS = `e.id, e.team, e.severity, e.status, e.assignee, e.claim_due_at AS "claimDueAt",
  e.resolve_due_at AS "resolveDueAt", e.level1_sent AS "level1Sent", e.level2_sent AS "level2Sent",
  e.escalation_level AS "escalationLevel", e.version, e.next_escalation_at AS "nextAt", e.next_escalation_step AS "nextStep"`;

/**
 * Record the exception's next escalation in Postgres (the truth) and return it for the caller to
 * schedule as a delayed job. Null when nothing more is due (claimed and level 2 done, resolved…).
 */
export async function planNext(db: Queryable, policy: SlaPolicy, exceptionId: number): Promise<(EscalationStep & { id: string }) | null> {
  const { rows } = await db.query<SlaRow>(`SELECT ${SLA_COLUMNS} FROM exceptions e WHERE e.id = $1`, [exceptionId]);
  const row = rows[0];
  if (!row) return null;
  const next = nextEscalation(row, policy);
  const id = next ? stepId(next) : null;
  if ((next?.at.getTime() ?? null) !== (row.nextAt?.getTime() ?? null) || id !== row.nextStep) {
    // Only onto the version it was planned from: a claim or resolve committed meanwhile has its own
    // plan coming (every change re-plans), and a stale plan must not overwrite it.
    await db.query('UPDATE exceptions SET next_escalation_at = $2, next_escalation_step = $3 WHERE id = $1 AND version = $4', [exceptionId, next?.at ?? null, id, row.version]);
  }
  return next && id ? { ...next, id } : null;
}

export type EscalationRun =
  | { status: 'fired'; step: EscalationStep; notifications: number[]; lateMs: number; version: number }
  | { status: 'early'; at: Date }
  | { status: 'dropped'; reason: string };

/**
 * Fire one escalation step — the guarded timer: lock the exception, drop a stale timer, re-check
 * the state, never fire early, record every notification to send (each once, by idempotency key)
 * and the next step, all in one transaction. Delivery happens after commit.
 */
export async function runEscalation(deps: EscalationEngineDeps, exceptionId: number, step: string): Promise<EscalationRun> {
  return withTransaction(deps.pool, async (tx) => {
    const { rows } = await tx.query<SlaRow & { externalId: string }>(
      `SELECT ${SLA_COLUMNS}, o.external_id AS "externalId"
       FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE e.id = $1 FOR UPDATE OF e`,
      [exceptionId],
    );
    const row = rows[0];
    if (!row) return { status: 'dropped' as const, reason: 'exception gone' };
    const next = nextEscalation(row, deps.policy);
    if (!next) return { status: 'dropped' as const, reason: `nothing due (${row.status})` };
    if (stepId(next) !== step) return { status: 'dropped' as const, reason: `stale timer ${step}, next is ${stepId(next)}` };
    const now = deps.clock.now();
    if (next.at.getTime() > now.getTime()) return { status: 'early' as const, at: next.at };

    const duty = deps.calendar ? dutyAt(deps.calendar, row.team, now) : null;
    const recipients = await escalationRecipients(tx, row.team, next.level, duty?.onCall ?? null);
    const planned = planEscalation({
      level: next.level, severity: row.severity, team: row.team, recipients,
      platforms: deps.chats.map((c) => c.platform), rules: deps.policy, timezone: deps.timezone, now, ...dutyRouting(duty, row.severity),
    });
    const ids = await recordNotifications(tx, exceptionId, `sla:${exceptionId}:${stepId(next)}`, `sla_level${next.level}`, planned,
      { level: next.level, n: next.n, orderId: row.externalId, recipients: recipients.map((r) => r.id) });
    const sentColumn = next.level === 1 ? 'level1_sent' : 'level2_sent';
    await tx.query(
      `UPDATE exceptions SET ${sentColumn} = ${sentColumn} + 1, escalation_level = greatest(escalation_level, $2),
         status = 'escalated', last_escalated_at = $3, version = version + 1, updated_at = $3 WHERE id = $1`,
      [exceptionId, next.level, now],
    );
    await insertAudit(tx, {
      actor: 'system', source: 'sla', entity: 'exception', entityId: exceptionId, action: `exception.sla_level${next.level}`,
      before: { status: row.status, escalation_level: row.escalationLevel, version: row.version },
      after: { status: 'escalated', escalation_level: Math.max(row.escalationLevel, next.level), version: row.version + 1 },
      details: { step: stepId(next), due: next.at, late_ms: now.getTime() - next.at.getTime(), planned },
    });
    await planNext(tx, deps.policy, exceptionId);
    return { status: 'fired' as const, step: next, notifications: ids, lateMs: now.getTime() - next.at.getTime(), version: row.version + 1 };
  }, { actor: 'system', via: 'sla' });
}

/**
 * Who an escalation goes to. Level 1: the person on call when the team has a roster (and they are
 * active staff), else the team's supervisors, else its managers. Level 2: managers.
 */
export async function escalationRecipients(db: Queryable, team: string, level: 1 | 2, onCall: string | null): Promise<Staff[]> {
  if (level === 2) return staffForEscalation(db, team, ['manager']);
  const person = onCall ? await findStaff(db, onCall) : null;
  if (person && (await staffForEscalation(db, team, [person.role])).some((s) => s.id === person.id)) return [person];
  const supervisors = await staffForEscalation(db, team, ['supervisor']);
  return supervisors.length > 0 ? supervisors : staffForEscalation(db, team, ['manager']);
}

/**
 * Record planned notifications, each once by its idempotency key (`<prefix>:<channel>:<platform>:<recipient>`).
 * Unrouted ones are kept with their reason; ones held off shift are kept as skipped (the next shift's
 * handoff card summarises them). Returns the ids to deliver now.
 */
export async function recordNotifications(tx: Queryable, exceptionId: number, prefix: string, kind: string, planned: PlannedNotification[], payload: Record<string, unknown>): Promise<number[]> {
  const ids: number[] = [];
  for (const p of planned) {
    const key = `${prefix}:${p.channel}:${p.platform ?? '-'}:${p.recipientId ?? '-'}`;
    const status = p.unrouted ? 'unrouted' : p.heldUntil ? 'skipped' : 'pending';
    const detail = p.unrouted ?? (p.heldUntil ? `held off shift until ${p.heldUntil.toISOString()}: in the shift-start summary` : null);
    const { rows: ins } = await tx.query<{ id: number }>(
      `INSERT INTO notifications (idempotency_key, exception_id, kind, channel, recipient, status, detail, not_before, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      [key, exceptionId, kind, p.platform ? `${p.platform}_${p.channel}` : p.channel, p.recipientId, status, detail,
        p.heldUntil ?? p.notBefore ?? null, JSON.stringify(payload)],
    );
    if (ins[0] && status === 'pending') ids.push(ins[0].id);
  }
  return ids;
}
