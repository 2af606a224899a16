import type { Severity } from '../orders/rules-types';
import { truncate } from '../privacy/mask';

/** One exception as the handoff card lists it. */
export interface HandoffItem {
  exceptionId: number;
  externalId: string;
  type: string;
  severity: Severity;
  /** The owner's display name (claimed ones), else null. */
  owner: string | null;
  ownerId: string | null;
  /** The owner is not on the incoming shift: the claim needs a new owner. */
  needsNewOwner: boolean;
  /** When it opened (ISO), for its age. */
  openedAt: string;
}

/**
 * What a team's outgoing shift leaves to the incoming one, as of the shift change (stored in
 * shift_handoffs.snapshot): open and claimed exceptions with owner and age, what breached its SLA
 * during the shift, what came in while nobody was on shift, stages with backlog.
 */
export interface HandoffSnapshot {
  unclaimed: HandoffItem[];
  claimed: HandoffItem[];
  breached: HandoffItem[];
  /** Came in outside every shift since the previous one ended (the summary those waited for). */
  offShift: HandoffItem[];
  backlog: { stage: string; count: number; oldestAt: string | null }[];
  /** The incoming on-call person's name, when the team has a roster. */
  onCall: string | null;
  /** Totals (the lists are clipped to LIST_MAX). */
  counts: { unclaimed: number; claimed: number; breached: number; offShift: number };
  /** Years the holiday calendar has no data for (current or next): said on the card too. */
  calendarGaps: number[];
}

export interface HandoffCard extends HandoffSnapshot {
  kind: 'handoff';
  key: string;
  /** The handoff's id (cards of other kinds call it alertId too). */
  alertId: number;
  version: number;
  team: string;
  /** open: claims still wait for a new owner; offered: the button was pressed (or nothing to offer). */
  status: 'open' | 'offered';
  shiftStart: string;
  shiftEnd: string;
  since: string;
  /** The team's time zone, for the times on the card. */
  zone: string;
  offered: { at: string; by: string; count: number } | null;
}

export const LIST_MAX = 10;
export const handoffCardKey = (id: number): string => `handoff:${id}`;

export interface HandoffRow {
  exceptionId: number;
  externalId: string;
  type: string;
  severity: Severity;
  status: string;
  assignee: string | null;
  assigneeName: string | null;
  openedAt: Date;
  claimDueAt: Date;
  resolveDueAt: Date;
  claimedAt: Date | null;
  resolvedAt: Date | null;
}

export interface SnapshotInput {
  /** Unresolved exceptions of the team now, plus those resolved since `since` (for breaches). */
  rows: HandoffRow[];
  since: Date;
  shiftStart: Date;
  /** When the previous shift ended (arrivals after it and before the start came in off shift). */
  previousEnd: Date | null;
  /** Is this person on the incoming shift? (their own hours, else the team's; unknown → true) */
  onIncomingShift(staffId: string): boolean;
  backlog: HandoffSnapshot['backlog'];
  onCall: string | null;
  calendarGaps: number[];
}

const item = (r: HandoffRow, needsNewOwner = false): HandoffItem => ({
  exceptionId: r.exceptionId, externalId: truncate(r.externalId, 64), type: r.type, severity: r.severity,
  owner: r.assignee ? truncate(r.assigneeName ?? r.assignee, 40) : null, ownerId: r.assignee, needsNewOwner, openedAt: r.openedAt.toISOString(),
});

/** A breach during the shift: a due time in [since, start) passed before the exception was claimed / resolved. */
function breached(r: HandoffRow, since: number, start: number): boolean {
  const late = (due: Date, done: Date | null) => due.getTime() >= since && due.getTime() < start && (done === null || done.getTime() > due.getTime());
  return late(r.claimDueAt, r.claimedAt) || late(r.resolveDueAt, r.resolvedAt);
}

/** The handoff's content from the rows read at the shift change (pure; oldest first, lists clipped). */
export function buildHandoffSnapshot(i: SnapshotInput): HandoffSnapshot {
  const rows = [...i.rows].sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime());
  const open = rows.filter((r) => r.status !== 'resolved');
  const unclaimed = open.filter((r) => !r.assignee).map((r) => item(r));
  // Claims whose owner is off the incoming shift first: those are what the handoff is for.
  const claimed = open.filter((r) => r.assignee).map((r) => item(r, !i.onIncomingShift(r.assignee!)))
    .sort((a, b) => Number(b.needsNewOwner) - Number(a.needsNewOwner));
  const since = i.since.getTime();
  const start = i.shiftStart.getTime();
  const late = rows.filter((r) => breached(r, since, start)).map((r) => item(r));
  const prevEnd = i.previousEnd?.getTime() ?? start;
  const offShift = open.filter((r) => r.openedAt.getTime() >= prevEnd && r.openedAt.getTime() < start).map((r) => item(r));
  return {
    unclaimed: unclaimed.slice(0, LIST_MAX), claimed: claimed.slice(0, LIST_MAX), breached: late.slice(0, LIST_MAX), offShift: offShift.slice(0, LIST_MAX),
    backlog: i.backlog, onCall: i.onCall, calendarGaps: i.calendarGaps,
    counts: { unclaimed: unclaimed.length, claimed: claimed.length, breached: late.length, offShift: offShift.length },
  };
}

/** Claims the card offers to the incoming shift (its one button). */
export const claimsToOffer = (s: HandoffSnapshot): HandoffItem[] => s.claimed.filter((c) => c.needsNewOwner);
