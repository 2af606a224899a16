/**
 * The work calendar as the pure functions see it (validated and defaulted by config). Dates are
 * local calendar dates `YYYY-MM-DD` in the team's time zone; instants are `Date`s.
 */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** luxon's weekday numbers 1 (Monday) … 7 (Sunday) as names. */
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/**
 * One working range of a day in minutes after local midnight. `end` is after `start`; an `end`
 * past 1440 crosses midnight ("20:00-08:00" is 1200–1920): the shift belongs to the day it starts.
 */
export interface HourRange {
  start: number;
  end: number;
}

/** Working hours per weekday; a make-up working day (调休 Saturday) uses `makeup`. */
export interface WeekHours {
  days: Record<Weekday, HourRange[]>;
  makeup: HourRange[];
}

export interface RosterOverride {
  /** `YYYY-MM-DD` (from that day's handoff) or `YYYY-MM-DDTHH:MM`, local time. */
  from: string;
  /** `YYYY-MM-DD` (until the handoff after that day) or `YYYY-MM-DDTHH:MM`, local time. */
  to: string;
  person: string;
}

/** Who is on call: a rotation over named staff, changing at `handoff`, plus dated swaps and leave. */
export interface Roster {
  rotation: 'daily' | 'weekly';
  people: string[];
  /** Minutes after local midnight when the duty changes hands. */
  handoff: number;
  /** The local date whose duty period is people[0]'s (the rotation counts from it). */
  start: string;
  /** Later entries win where they overlap. */
  overrides: RosterOverride[];
}

export interface TeamCalendar {
  id: string;
  timezone: string;
  /** Team-only days off (company holidays) and extra working days, `YYYY-MM-DD`. */
  extraHolidays: string[];
  extraWorkdays: string[];
  /** Works every day, weekends and statutory holidays included (team days off still apply). */
  everyDay: boolean;
  /** null: no shifts configured — the team counts as always on duty, and its business clock is the wall clock. */
  hours: WeekHours | null;
  oncall: Roster | null;
}

export interface CalendarSettings {
  /** `CN`: statutory holidays and 调休 from the State Council schedule; `none`: Monday–Friday only. */
  country: 'CN' | 'none';
  /** Fill a year the package has no data for (or correct it) the day a notice comes out. */
  extraHolidays: string[];
  extraWorkdays: string[];
  /** The global time zone, for teams that name none. */
  timezone: string;
  teams: Record<string, TeamCalendar>;
  /** Staff with a team: their own hours (null: the team's). Absent people are not on any shift. */
  people: Record<string, { team: string; hours: WeekHours | null }>;
}

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeup_workday' | 'team_holiday' | 'team_workday';
export type DaySource = 'statutory' | 'config' | 'weekday_rule';

/** What the calendar thinks of one date (for one team). */
export interface DayInfo {
  date: string;
  /** The team works this date (it has working hours on it, or would if it had hours). */
  workday: boolean;
  kind: DayKind;
  /** The holiday's name in both languages (statutory days only), else null. */
  name: { en: string; zh: string } | null;
  source: DaySource;
}
