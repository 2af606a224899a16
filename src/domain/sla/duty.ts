import { currentShift, nextShift, onCallAt, teamCalendar, type WorkCalendar } from '../calendar';
import type { Severity } from '../orders/rules-types';

/** Where a team stands at an instant: on a shift or not, who is on call, when the next shift opens. */
export interface DutyView {
  /** The team has working hours (without them it counts as always on duty). */
  hasHours: boolean;
  onShift: boolean;
  /** The on-call person's staff id, or null without a roster. */
  onCall: string | null;
  /** When the next shift opens (outside every shift), for "waits for the shift". */
  nextShiftAt: Date | null;
}

export function dutyAt(cal: WorkCalendar, team: string, at: Date): DutyView {
  const t = teamCalendar(cal, team);
  const onShift = !t.hours || currentShift(cal, team, at) !== null;
  return {
    hasHours: t.hours !== null,
    onShift,
    onCall: onCallAt(cal, team, at)?.person ?? null,
    nextShiftAt: onShift ? null : new Date(nextShift(cal, team, at).start),
  };
}

/**
 * What an escalation does given the duty: outside every shift a critical exception pages the
 * person on call (with Feishu 加急), anything else is held for the summary at the next shift's
 * start; on shift it goes as configured. Level 1 goes to the on-call person when there is a roster.
 */
export function dutyRouting(d: DutyView | null, severity: Severity): { page: boolean; holdUntil: Date | null } {
  if (!d || d.onShift) return { page: false, holdUntil: null };
  if (severity === 'critical') return { page: true, holdUntil: null };
  return { page: false, holdUntil: d.nextShiftAt };
}
