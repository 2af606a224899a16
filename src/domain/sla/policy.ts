import { DateTime } from 'luxon';
import type { ExceptionStatus } from '../exceptions/exception';

/** Repeats of one escalation level: every N minutes, at most M more times (null: no repeats). */
export interface LevelPolicy {
  repeatEveryMinutes: number | null;
  maxRepeats: number;
}

export interface SlaPolicy {
  level1: LevelPolicy;
  level2: LevelPolicy;
}

export interface SlaState {
  status: ExceptionStatus;
  assignee: string | null;
  claimDueAt: Date;
  resolveDueAt: Date;
  /** How many times each level has fired (the first time and each repeat). */
  level1Sent: number;
  level2Sent: number;
}

/** One escalation to fire: its level, which firing of that level (0 = first), and when. */
export interface EscalationStep {
  level: 1 | 2;
  n: number;
  at: Date;
}

export const stepId = (s: Pick<EscalationStep, 'level' | 'n'>): string => `l${s.level}-${s.n}`;

/**
 * The next escalation of an exception, or null when nothing more is due. Unclaimed past the claim
 * SLA → level 1 (supervisors); unresolved past the resolve SLA → level 2 (managers). Firing n of a
 * level is due at its deadline + n × repeat interval, so the schedule never drifts with lateness.
 */
export function nextEscalation(s: SlaState, p: SlaPolicy): EscalationStep | null {
  if (s.status === 'resolved') return null;
  const candidates: EscalationStep[] = [];
  const l2 = stepAt(s.resolveDueAt, s.level2Sent, p.level2);
  if (l2) candidates.push({ level: 2, n: s.level2Sent, at: l2 });
  if (!s.assignee) {
    const l1 = stepAt(s.claimDueAt, s.level1Sent, p.level1);
    if (l1) candidates.push({ level: 1, n: s.level1Sent, at: l1 });
  }
  // Earliest first; at the same instant the more serious level goes first.
  candidates.sort((a, b) => a.at.getTime() - b.at.getTime() || b.level - a.level);
  return candidates[0] ?? null;
}

function stepAt(due: Date, sent: number, p: LevelPolicy): Date | null {
  if (sent === 0) return due;
  if (!p.repeatEveryMinutes || sent > p.maxRepeats) return null;
  return new Date(due.getTime() + sent * p.repeatEveryMinutes * 60_000);
}

/** A daily window in local time, e.g. SMS only 08:00–22:00; `from` > `to` spans midnight. */
export interface TimeWindow {
  from: string;
  to: string;
}

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

export function withinWindow(w: TimeWindow | null, timezone: string, at: Date): boolean {
  if (!w) return true;
  const local = DateTime.fromJSDate(at, { zone: timezone });
  const now = local.hour * 60 + local.minute;
  const from = minutesOf(w.from);
  const to = minutesOf(w.to);
  if (from === to) return true;
  return from < to ? now >= from && now < to : now >= from || now < to;
}

/** The window's opening time on the local day of `at`. */
function openingOnDayOf(w: TimeWindow, timezone: string, at: Date): DateTime {
  const [h, m] = w.from.split(':').map(Number);
  return DateTime.fromJSDate(at, { zone: timezone }).set({ hour: h ?? 0, minute: m ?? 0, second: 0, millisecond: 0 });
}

/** The instant the window next opens (or `at` itself when already inside it). */
export function nextWindowOpen(w: TimeWindow | null, timezone: string, at: Date): Date {
  if (withinWindow(w, timezone, at)) return at;
  let open = openingOnDayOf(w!, timezone, at);
  if (open.toMillis() <= at.getTime()) open = open.plus({ days: 1 });
  return open.toJSDate();
}

/** When the window last opened at or before `at` (−∞ without a window), in milliseconds. */
export function lastWindowOpen(w: TimeWindow | null, timezone: string, at: Date): number {
  if (!w) return -Infinity;
  let open = openingOnDayOf(w, timezone, at);
  if (open.toMillis() > at.getTime()) open = open.minus({ days: 1 });
  return open.toMillis();
}
