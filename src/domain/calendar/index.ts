/**
 * The work calendar (pure): Chinese statutory holidays and 调休 from `chinese-days`, global and
 * per-team extra days, shifts per weekday in each team's time zone, on-call rosters, and
 * working-time arithmetic other areas call (SLA due times, reports in business time, snooze
 * "until the next working morning").
 */
export * from './types';
export { buildCalendar, dayInfo, personCalendar, isWorkday, localDate, teamCalendar, yearsWithoutData, type WorkCalendar } from './calendar';
export { hasStatutoryData } from './statutory';
export {
  addWorkingMinutes, currentShift, hoursOn, isOnShift, nextShift, nextWorkingMoment, nextWorkingMorning, shiftStartsIn,
  shiftsBetween, shiftsOn, workingMinutesBetween, workingMsBetween, workingSpans, type Shift, type Span,
} from './working-time';
export { onCallAt, onCallSchedule, type Duty } from './oncall';
export { buildWeekHours, formatHourRange, overlapping, parseHourRange, type HoursSpec } from './hours';
export { teamDutyView, type TeamDutyView } from './duty-view';
