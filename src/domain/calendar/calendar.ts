import { DateTime } from 'luxon';
import { hasStatutoryData, statutoryDay } from './statutory';
import type { CalendarSettings, DayInfo, TeamCalendar } from './types';

/**
 * A built calendar: the settings plus lookup sets and a per-date cache. Build it once per
 * configuration with `buildCalendar`; every function of this folder takes it first.
 */
export interface WorkCalendar {
  readonly settings: CalendarSettings;
  readonly holidays: ReadonlySet<string>;
  readonly workdays: ReadonlySet<string>;
  readonly teamSets: ReadonlyMap<string, { holidays: ReadonlySet<string>; workdays: ReadonlySet<string> }>;
  readonly cache: Map<string, DayInfo>;
  /** Shifts per team and date (by `working-time.ts`); dates repeat a lot in reports and SLA sweeps. */
  readonly shiftCache: Map<string, unknown>;
}

export function buildCalendar(settings: CalendarSettings): WorkCalendar {
  const teamSets = new Map<string, { holidays: ReadonlySet<string>; workdays: ReadonlySet<string> }>();
  for (const [id, t] of Object.entries(settings.teams)) teamSets.set(id, { holidays: new Set(t.extraHolidays), workdays: new Set(t.extraWorkdays) });
  return { settings, holidays: new Set(settings.extraHolidays), workdays: new Set(settings.extraWorkdays), teamSets, cache: new Map(), shiftCache: new Map() };
}

/** A team's calendar; a team with nothing configured gets the global zone, no shifts and no extras. */
export function teamCalendar(cal: WorkCalendar, team: string | TeamCalendar): TeamCalendar {
  if (typeof team !== 'string') return team;
  return cal.settings.teams[team] ?? { id: team, timezone: cal.settings.timezone, extraHolidays: [], extraWorkdays: [], everyDay: false, hours: null, oncall: null };
}

/**
 * A person's schedule: their team's calendar with their own hours where they have any; null for
 * someone with no team (managers) or not listed.
 */
export function personCalendar(cal: WorkCalendar, staffId: string): TeamCalendar | null {
  const p = cal.settings.people[staffId];
  const team = p ? cal.settings.teams[p.team] ?? teamCalendar(cal, p.team) : undefined;
  if (!p || !team) return null;
  return p.hours ? { ...team, id: `${team.id}/${staffId}`, hours: p.hours } : team;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The local date of an instant in a zone, `YYYY-MM-DD`. */
export function localDate(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toISODate()!;
}

/** 1 (Monday) … 7 (Sunday) of a `YYYY-MM-DD` date. */
export function weekdayOf(date: string): number {
  // Plain UTC arithmetic on a calendar date (no zone involved), cheaper than luxon in the day loops.
  return ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * What the calendar says of a date, for a team or (without one) globally. Precedence: the team's
 * own days, then the global extra days, then the statutory schedule, then Monday–Friday for a year
 * without data (source `weekday_rule` — see `yearsWithoutData`).
 * @example dayInfo(cal, '2026-10-10') // { workday: true, kind: 'makeup_workday', name: 国庆节, source: 'statutory' }
 */
export function dayInfo(cal: WorkCalendar, date: string, team?: string | TeamCalendar): DayInfo {
  if (!DATE.test(date) || !DateTime.fromISO(date).isValid) throw new RangeError(`not a date: ${date} (YYYY-MM-DD)`);
  const t = team === undefined ? undefined : teamCalendar(cal, team);
  const cacheKey = `${t?.id ?? ''}\u0000${date}`;
  const hit = t === undefined || typeof team === 'string' ? cal.cache.get(cacheKey) : undefined;
  if (hit) return hit;
  const info = t ? teamDay(cal, t, date) : globalDay(cal, date);
  if (t === undefined || typeof team === 'string') cal.cache.set(cacheKey, info);
  return info;
}

function globalDay(cal: WorkCalendar, date: string): DayInfo {
  const weekend = weekdayOf(date) >= 6;
  if (cal.workdays.has(date)) return { date, workday: true, kind: weekend ? 'makeup_workday' : 'workday', name: null, source: 'config' };
  if (cal.holidays.has(date)) return { date, workday: false, kind: 'holiday', name: null, source: 'config' };
  const s = cal.settings.country === 'CN' ? statutoryDay(date) : null;
  if (s && s.kind !== 'ordinary') return { date, workday: s.work, kind: s.kind, name: s.name, source: 'statutory' };
  const source = s ? 'statutory' : 'weekday_rule';
  return { date, workday: !weekend, kind: weekend ? 'weekend' : 'workday', name: null, source };
}

function teamDay(cal: WorkCalendar, t: TeamCalendar, date: string): DayInfo {
  const sets = cal.teamSets.get(t.id) ?? { holidays: new Set(t.extraHolidays), workdays: new Set(t.extraWorkdays) };
  if (sets.workdays.has(date)) return { date, workday: true, kind: 'team_workday', name: null, source: 'config' };
  if (sets.holidays.has(date)) return { date, workday: false, kind: 'team_holiday', name: null, source: 'config' };
  const g = globalDay(cal, date);
  if (g.workday) return g;
  // A day off for the country: a team that works every day works it, and a team with hours of its
  // own on a weekend day (sat: "10:00-16:00") works an ordinary weekend.
  const own = t.hours?.days[(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const)[weekdayOf(date) - 1]!] ?? [];
  const works = t.everyDay || (g.kind === 'weekend' && own.length > 0);
  return works ? { ...g, workday: true } : g;
}

/** Is `date` a working day (for `team`, when given)? */
export function isWorkday(cal: WorkCalendar, date: string, team?: string | TeamCalendar): boolean {
  return dayInfo(cal, date, team).workday;
}

/**
 * Years among `years` for which the statutory schedule is unknown and no extra days fill them:
 * the calendar falls back to Monday–Friday there, which is wrong for 元旦, 春节 … Say so loudly.
 */
export function yearsWithoutData(cal: WorkCalendar, years: number[]): number[] {
  if (cal.settings.country !== 'CN') return [];
  const filled = (y: number) => [...cal.holidays].some((d) => d.startsWith(`${y}-`));
  return years.filter((y) => !hasStatutoryData(y) && !filled(y));
}
