import { addWorkingMinutes, type WorkCalendar } from '../calendar';

/** `wall`: SLA minutes run round the clock (as before); `business`: only the team's working time counts. */
export type SlaClock = 'wall' | 'business';

export interface DueInput {
  clock: SlaClock;
  team: string;
  /** When the clock starts (the exception opened, or came to chat after a history import). */
  start: Date;
  claimMinutes: number;
  resolveMinutes: number;
}

/**
 * An exception's claim and resolve due instants. The one place SLA due times are computed: the
 * order processor, the history import's surfacing and the recomputation after a calendar change
 * all call it. Without a calendar a business clock falls back to the wall clock.
 * @example dueTimes({ clock: 'business', team: 'service', start: new Date('2026-09-30T23:50+08:00'), claimMinutes: 30, resolveMinutes: 60 }, cal)
 *   // claim 2026-10-08T09:30+08:00 (国庆 and the weekend skipped)
 */
export function dueTimes(i: DueInput, cal?: WorkCalendar): { claimDueAt: Date; resolveDueAt: Date } {
  if (i.clock === 'business' && cal) {
    return { claimDueAt: addWorkingMinutes(cal, i.team, i.start, i.claimMinutes), resolveDueAt: addWorkingMinutes(cal, i.team, i.start, i.resolveMinutes) };
  }
  return { claimDueAt: new Date(i.start.getTime() + i.claimMinutes * 60_000), resolveDueAt: new Date(i.start.getTime() + i.resolveMinutes * 60_000) };
}
