import { teamCalendar, type WorkCalendar } from './calendar';
import { onCallSchedule, type Duty } from './oncall';
import { currentShift, nextShift } from './working-time';

/** Who is on duty for a team now and next: its shift, and its on-call person now and the one after. */
export interface TeamDutyView {
  team: string;
  hasHours: boolean;
  /** The running shift, or null outside every shift (or without hours). */
  shift: { from: Date; until: Date } | null;
  /** The next shift's start (teams with hours). */
  nextShiftAt: Date | null;
  /** The on-call person now and the next one (empty without a roster). */
  onCall: Duty[];
}

export function teamDutyView(cal: WorkCalendar, team: string, at: Date): TeamDutyView {
  const t = teamCalendar(cal, team);
  const shift = t.hours ? currentShift(cal, team, at) : null;
  return {
    team,
    hasHours: t.hours !== null,
    shift: shift ? { from: new Date(shift.start), until: new Date(shift.end) } : null,
    nextShiftAt: t.hours ? new Date(nextShift(cal, team, at).start) : null,
    onCall: onCallSchedule(cal, team, at, 2),
  };
}
