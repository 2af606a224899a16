import type { Severity } from '../domain/orders/rules-types';
import { dutyAt } from '../domain/sla/duty';
import { planEscalation } from '../domain/sla/plan';
import { withTransaction } from '../db/pool';
import { insertAudit } from '../db/audit';
import { escalationRecipients, recordNotifications, type EscalationEngineDeps } from './escalation';

/** A new exception older than this is not paged (a later change re-plans it; it is no longer "new"). */
const NEW_FOR_MS = 10 * 60_000;

/**
 * Outside every shift of its team, a new critical exception pages the person on call (else the
 * supervisors) at once: a direct message on every platform and Feishu 加急 where enabled. Once per
 * exception (idempotency keys); non-critical ones wait for the shift (the handoff card lists them).
 * Returns the notifications to deliver.
 */
export async function pageOffShift(deps: EscalationEngineDeps, exceptionId: number): Promise<number[]> {
  const cal = deps.calendar;
  if (!cal) return [];
  const now = deps.clock.now();
  return withTransaction(deps.pool, async (tx) => {
    const { rows } = await tx.query<{ team: string; severity: Severity; status: string; assignee: string | null; quiet: boolean; created_at: Date; external_id: string }>(
      `SELECT e.team, e.severity, e.status, e.assignee, e.quiet, e.created_at, o.external_id
       FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE e.id = $1 FOR UPDATE OF e`,
      [exceptionId],
    );
    const e = rows[0];
    if (!e || e.severity !== 'critical' || e.quiet || e.assignee || e.status === 'resolved' || now.getTime() - e.created_at.getTime() > NEW_FOR_MS) return [];
    const duty = dutyAt(cal, e.team, now);
    if (!duty.hasHours || duty.onShift) return [];
    const recipients = await escalationRecipients(tx, e.team, 1, duty.onCall);
    const planned = planEscalation({
      level: 1, severity: e.severity, team: e.team, recipients, platforms: deps.chats.map((c) => c.platform),
      rules: deps.policy, timezone: deps.timezone, now, page: true,
    })
      // A new card is not yet in the channel to mention on; 加急 rings it once it is posted.
      .filter((p) => p.channel !== 'card_mention')
      .map((p) => (p.channel === 'feishu_urgent' ? { ...p, notBefore: new Date(now.getTime() + 15_000) } : p));
    const ids = await recordNotifications(tx, exceptionId, `offshift:${exceptionId}`, 'offshift_page', planned,
      { level: 1, page: true, orderId: e.external_id, recipients: recipients.map((r) => r.id) });
    if (ids.length > 0) {
      await insertAudit(tx, {
        actor: 'system', source: 'sla', entity: 'exception', entityId: exceptionId, action: 'exception.paged_off_shift',
        details: { onCall: duty.onCall, recipients: recipients.map((r) => r.id), nextShiftAt: duty.nextShiftAt, planned },
      });
    }
    return ids;
  }, { actor: 'system', via: 'sla' });
}
