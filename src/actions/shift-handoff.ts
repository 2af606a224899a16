import type pg from 'pg';
import {
  isOnShift, onCallAt, personCalendar, shiftStartsIn, shiftsBetween, teamCalendar, yearsWithoutData, type WorkCalendar,
} from '../domain/calendar';
import { buildHandoffSnapshot, claimsToOffer, handoffCardKey, type HandoffSnapshot } from '../domain/cards/handoff-card';
import type { Clock, Notice } from '../domain/ports';
import type { ChatUser } from '../domain/staff';
import { dueTimes, type SlaClock } from '../domain/sla/due';
import { insertAudit } from '../db/audit';
import { handoffRows, insertHandoff, lockHandoff, markOffered, previousHandoff, teamBacklog, unpostedHandoffs } from '../db/handoffs';
import { withTransaction } from '../db/pool';
import { findStaffByChatUser } from '../db/staff';

export interface HandoffDeps {
  pool: pg.Pool;
  clock: Clock;
  calendar: WorkCalendar;
  /** Teams that get handoff cards (those with hours, unless handoff_card: false). */
  teams: string[];
  /** Staff id → display name (the on-call person on the card). */
  staffName(id: string): string;
  cardChanged(key: string, version: number): Promise<void>;
}

/** Shift changes are looked for this far back, so a bot that was down a few minutes still hands over. */
const LOOKBACK_MS = 15 * 60_000;

/**
 * At each shift start of each team, record its handoff (once, whatever the number of bot copies)
 * and post its card to the team's channel. Run by the maintenance sweep. Returns the handoffs made.
 */
export async function checkHandoffs(deps: HandoffDeps): Promise<number[]> {
  const now = deps.clock.now();
  const made: number[] = [];
  for (const team of deps.teams) {
    for (const shift of shiftStartsIn(deps.calendar, team, new Date(now.getTime() - LOOKBACK_MS), now)) {
      const start = new Date(shift.start);
      const id = await makeHandoff(deps, team, start, new Date(shift.end));
      if (id !== null) {
        made.push(id);
        await deps.cardChanged(handoffCardKey(id), 1);
      }
    }
  }
  for (const h of await unpostedHandoffs(deps.pool)) await deps.cardChanged(handoffCardKey(h.id), h.version);
  return made;
}

/** Build and record one team's handoff at a shift start; null when it exists already. */
export async function makeHandoff(deps: Omit<HandoffDeps, 'teams' | 'cardChanged'>, team: string, start: Date, end: Date): Promise<number | null> {
  const cal = deps.calendar;
  const weekBefore = new Date(start.getTime() - 14 * 86_400_000);
  const before = shiftsBetween(cal, team, weekBefore, start).filter((s) => s.start < start.getTime());
  const previous = before[before.length - 1];
  // Breaches count since the previous handoff (else the previous shift's start).
  const since = (await previousHandoff(deps.pool, team, start)) ?? (previous ? new Date(previous.start) : weekBefore);
  const previousEnd = previous ? new Date(previous.end) : null;
  const probe = new Date(start.getTime() + 1);
  const onCall = onCallAt(cal, team, probe)?.person ?? null;
  const year = Number(start.toISOString().slice(0, 4));
  const snapshot: HandoffSnapshot = buildHandoffSnapshot({
    rows: await handoffRows(deps.pool, team, since),
    since, shiftStart: start, previousEnd,
    onIncomingShift: (staffId) => {
      if (staffId === onCall) return true;
      const person = personCalendar(cal, staffId);
      return person === null || isOnShift(cal, person, probe);
    },
    backlog: await teamBacklog(deps.pool, team),
    onCall: onCall ? deps.staffName(onCall) : null,
    calendarGaps: yearsWithoutData(cal, [year, year + 1]),
  });
  return insertHandoff(deps.pool, { team, shiftStart: start, shiftEnd: end, since, snapshot });
}

export interface OfferInput {
  handoffId: number;
  version: number;
  user: ChatUser;
  via: string;
}

export type OfferResult =
  | { ok: true; notice: Notice; offered: number }
  | { ok: false; reason: 'unknown_user' | 'not_found' | 'stale' | 'forbidden'; notice: Notice };

/**
 * "Offer to the incoming shift" on a handoff card: every claim listed as needing a new owner that
 * its owner still holds goes back to the queue (assignee cleared, a fresh claim clock from now on
 * the exception's own clock), audited; the handoff card then says who offered them and when.
 * Staff of the team, and supervisors and above, may press it; once per card.
 */
export async function offerHandoff(deps: { pool: pg.Pool; clock: Clock; calendar?: WorkCalendar; cards: { changed(exceptionId: number, version: number): Promise<void> }; cardChanged(key: string, version: number): Promise<void> }, input: OfferInput): Promise<OfferResult> {
  const staff = await findStaffByChatUser(deps.pool, input.user);
  if (!staff) return { ok: false, reason: 'unknown_user', notice: { key: 'notice.unknown_user', vars: { userId: input.user.userId } } };
  const now = deps.clock.now();
  const out = await withTransaction(deps.pool, async (tx) => {
    const h = await lockHandoff(tx, input.handoffId);
    if (!h) return { ok: false as const, reason: 'not_found' as const };
    if (staff.team !== h.team && staff.role === 'agent') return { ok: false as const, reason: 'forbidden' as const };
    if (h.version !== input.version || h.offered_at) return { ok: false as const, reason: 'stale' as const };
    const changed: { id: number; version: number }[] = [];
    for (const c of claimsToOffer(h.snapshot)) {
      const { rows } = await tx.query<{ version: number; status: string; sla_clock: SlaClock; claim_minutes: string | null; resolve_due_at: Date }>(
        `SELECT version, status, sla_clock, claim_minutes, resolve_due_at FROM exceptions WHERE id = $1 AND assignee = $2 AND status <> 'resolved' FOR UPDATE`,
        [c.exceptionId, c.ownerId],
      );
      const e = rows[0];
      if (!e) continue; // taken over or resolved meanwhile
      const claimDue = dueTimes({ clock: e.sla_clock, team: h.team, start: now, claimMinutes: Number(e.claim_minutes ?? 30), resolveMinutes: 0 }, deps.calendar).claimDueAt;
      const { rows: up } = await tx.query<{ version: number }>(
        `UPDATE exceptions SET assignee = NULL, claimed_at = NULL, status = CASE WHEN status = 'claimed' THEN 'open' ELSE status END,
           claim_due_at = $2, level1_sent = 0, version = version + 1, updated_at = $3 WHERE id = $1 RETURNING version`,
        [c.exceptionId, claimDue, now],
      );
      await insertAudit(tx, {
        actor: staff.id, source: input.via, entity: 'exception', entityId: c.exceptionId, action: 'exception.offered_to_shift',
        before: { assignee: c.ownerId, status: e.status, version: e.version }, after: { assignee: null, version: up[0]!.version, claim_due_at: claimDue },
        details: { handoff: h.id, shift_start: h.shift_start },
      });
      changed.push({ id: c.exceptionId, version: up[0]!.version });
    }
    const version = await markOffered(tx, h.id, staff.id, now, changed.length);
    return { ok: true as const, changed, version };
  }, { actor: `staff:${staff.id}`, via: input.via });
  if (!out.ok) {
    const key = out.reason === 'not_found' ? 'handoff.notice.not_found' : out.reason === 'stale' ? 'handoff.notice.stale' : 'handoff.notice.forbidden';
    return { ok: false, reason: out.reason, notice: { key } };
  }
  for (const c of out.changed) await deps.cards.changed(c.id, c.version);
  await deps.cardChanged(handoffCardKey(input.handoffId), out.version);
  return { ok: true, offered: out.changed.length, notice: out.changed.length > 0 ? { key: 'handoff.notice.offered', vars: { count: out.changed.length } } : { key: 'handoff.notice.nothing' } };
}

/** The teams that get handoff cards: those with hours, unless they turned the card off. */
export function handoffTeams(cal: WorkCalendar, teams: Record<string, { handoff_card?: boolean }>): string[] {
  return Object.keys(teams).filter((id) => teamCalendar(cal, id).hours !== null && teams[id]?.handoff_card !== false);
}
