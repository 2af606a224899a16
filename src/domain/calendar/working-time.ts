import { DateTime } from 'luxon';
import { addDays, dayInfo, localDate, teamCalendar, weekdayOf, type WorkCalendar } from './calendar';
import { WEEKDAYS, type HourRange, type TeamCalendar } from './types';

/** A span of time [start, end) in epoch milliseconds. */
export interface Span {
  start: number;
  end: number;
}

/** One shift: a working range of the day it starts on, as instants. */
export interface Shift extends Span {
  /** The local date the shift belongs to (it may end the next day). */
  date: string;
  /** Its index among that day's ranges (0 = the day's first shift, the "morning"). */
  index: number;
}

const MINUTE = 60_000;
const DAY_RANGE: HourRange[] = [{ start: 0, end: 1440 }];
/** Working time is looked for this far ahead at most: a calendar with none is a configuration error. */
const MAX_DAYS = 3 * 366;

function instant(date: string, minutes: number, zone: string): number {
  const day = DateTime.fromISO(date, { zone }).plus({ days: Math.floor(minutes / 1440) });
  const m = minutes % 1440;
  // A local time that does not exist (a DST spring-forward gap) moves forward, as a wall clock does.
  return day.set({ hour: Math.floor(m / 60), minute: m % 60, second: 0, millisecond: 0 }).toMillis();
}

/** The ranges a team works on a date (none on a day off); a team without hours works all day. */
export function hoursOn(cal: WorkCalendar, team: string | TeamCalendar, date: string): HourRange[] {
  const t = teamCalendar(cal, team);
  const info = dayInfo(cal, date, t);
  if (!t.hours) return DAY_RANGE;
  if (!info.workday) return [];
  const weekend = weekdayOf(date) >= 6;
  // A make-up working day (调休 Saturday) or an extra working day on a weekend uses the weekday hours.
  if (weekend && (info.kind === 'makeup_workday' || info.kind === 'team_workday')) return t.hours.makeup;
  return t.hours.days[WEEKDAYS[weekdayOf(date) - 1]!];
}

/** The shifts that start on a local date, as instants, in order. */
export function shiftsOn(cal: WorkCalendar, team: string | TeamCalendar, date: string): Shift[] {
  const key = typeof team === 'string' ? `${team}\u0000${date}` : undefined;
  const hit = key ? (cal.shiftCache.get(key) as Shift[] | undefined) : undefined;
  if (hit) return hit;
  const t = teamCalendar(cal, team);
  const shifts = hoursOn(cal, t, date).map((r, index) => ({
    date, index, start: instant(date, r.start, t.timezone), end: instant(date, r.end, t.timezone),
  }));
  // A person's own hours come in as an object: only named teams are cached.
  if (key) cal.shiftCache.set(key, Object.freeze(shifts));
  return shifts;
}

/** Every shift that overlaps [from, to), in order of start (not merged: a shift change stays visible). */
export function shiftsBetween(cal: WorkCalendar, team: string | TeamCalendar, from: Date, to: Date): Shift[] {
  const t = teamCalendar(cal, team);
  const out: Shift[] = [];
  const last = localDate(to, t.timezone);
  // A shift of the day before may still be running at `from` (a night shift).
  for (let d = addDays(localDate(from, t.timezone), -1); d <= last; d = addDays(d, 1)) {
    for (const s of shiftsOn(cal, team, d)) if (s.end > from.getTime() && s.start < to.getTime()) out.push(s);
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Working time within [from, to) as disjoint spans, merged where shifts touch or overlap. */
export function workingSpans(cal: WorkCalendar, team: string | TeamCalendar, from: Date, to: Date): Span[] {
  const out: Span[] = [];
  for (const s of shiftsBetween(cal, team, from, to)) {
    const span = { start: Math.max(s.start, from.getTime()), end: Math.min(s.end, to.getTime()) };
    if (span.end <= span.start) continue;
    const prev = out[out.length - 1];
    if (prev && span.start <= prev.end) prev.end = Math.max(prev.end, span.end);
    else out.push(span);
  }
  return out;
}

/** Milliseconds of the team's working time between two instants (negative when `to` is before `from`). */
export function workingMsBetween(cal: WorkCalendar, team: string | TeamCalendar, from: Date, to: Date): number {
  if (to.getTime() < from.getTime()) return -workingMsBetween(cal, team, to, from);
  return workingSpans(cal, team, from, to).reduce((n, s) => n + s.end - s.start, 0);
}

/**
 * Working minutes of the team between two instants: holidays and hours off count zero, 调休
 * working days count. Reports use it for processing times in business time.
 * @example workingMinutesBetween(cal, 'service', new Date('2026-09-30T17:30+08:00'), new Date('2026-10-08T09:30+08:00')) // 60
 */
export function workingMinutesBetween(cal: WorkCalendar, team: string | TeamCalendar, from: Date, to: Date): number {
  return workingMsBetween(cal, team, from, to) / MINUTE;
}

/**
 * The instant `minutes` working minutes after `from` on the team's business clock: an exception
 * raised at 23:50 for a 09:00–18:00 team with a 30-minute SLA is due 09:30 the next working day.
 * Fractions of a minute are kept (to the millisecond). Throws when the team has no working time
 * within three years (a configuration error that validation rejects).
 */
export function addWorkingMinutes(cal: WorkCalendar, team: string | TeamCalendar, from: Date, minutes: number): Date {
  if (!(minutes >= 0) || !Number.isFinite(minutes)) throw new RangeError(`minutes must be ≥ 0, got ${minutes}`);
  let left = Math.round(minutes * MINUTE);
  if (left === 0) return new Date(from.getTime());
  const t = teamCalendar(cal, team);
  let cursor = from.getTime();
  const first = addDays(localDate(from, t.timezone), -1);
  for (let i = 0, d = first; i <= MAX_DAYS; i++, d = addDays(d, 1)) {
    for (const s of shiftsOn(cal, team, d)) {
      const start = Math.max(s.start, cursor);
      if (s.end <= start) continue;
      if (s.end - start >= left) return new Date(start + left);
      left -= s.end - start;
      cursor = s.end;
    }
  }
  throw new RangeError(`team ${t.id} has no working time within ${MAX_DAYS} days of ${from.toISOString()}`);
}

/** The first instant at or after `at` inside the team's working time. */
export function nextWorkingMoment(cal: WorkCalendar, team: string | TeamCalendar, at: Date): Date {
  const t = teamCalendar(cal, team);
  const first = addDays(localDate(at, t.timezone), -1);
  for (let i = 0, d = first; i <= MAX_DAYS; i++, d = addDays(d, 1)) {
    for (const s of shiftsOn(cal, team, d)) if (s.end > at.getTime()) return new Date(Math.max(s.start, at.getTime()));
  }
  throw new RangeError(`team ${t.id} has no working time within ${MAX_DAYS} days of ${at.toISOString()}`);
}

/** The shift running at `at` (the latest-started one where shifts overlap), or null outside every shift. */
export function currentShift(cal: WorkCalendar, team: string | TeamCalendar, at: Date): Shift | null {
  const running = shiftsBetween(cal, team, at, new Date(at.getTime() + 1));
  return running[running.length - 1] ?? null;
}

/** Is `at` inside one of the team's shifts? A team without hours is always on. */
export function isOnShift(cal: WorkCalendar, team: string | TeamCalendar, at: Date): boolean {
  return currentShift(cal, team, at) !== null;
}

/** The first shift that starts after `at`. */
export function nextShift(cal: WorkCalendar, team: string | TeamCalendar, at: Date): Shift {
  const t = teamCalendar(cal, team);
  for (let i = 0, d = localDate(at, t.timezone); i <= MAX_DAYS; i++, d = addDays(d, 1)) {
    for (const s of shiftsOn(cal, team, d)) if (s.start > at.getTime()) return s;
  }
  throw new RangeError(`team ${t.id} has no shift within ${MAX_DAYS} days of ${at.toISOString()}`);
}

/** Shift starts in (after, upTo]: the shift changes a handoff is due for, in order. */
export function shiftStartsIn(cal: WorkCalendar, team: string | TeamCalendar, after: Date, upTo: Date): Shift[] {
  // A team without hours has no shifts to hand over (its all-day ranges are not shift changes).
  if (!teamCalendar(cal, team).hours) return [];
  return shiftsBetween(cal, team, after, new Date(upTo.getTime() + 1)).filter((s) => s.start > after.getTime() && s.start <= upTo.getTime());
}

/**
 * The next working morning after `at`: the start of the first shift of a working day that begins
 * after `at` (a snooze "until tomorrow morning" that skips 春节 and lands on a 调休 Saturday).
 * A team without hours gets 09:00 local time of its next working day.
 */
export function nextWorkingMorning(cal: WorkCalendar, team: string | TeamCalendar, at: Date): Date {
  const t = teamCalendar(cal, team);
  for (let i = 0, d = localDate(at, t.timezone); i <= MAX_DAYS; i++, d = addDays(d, 1)) {
    if (!dayInfo(cal, d, t).workday) continue;
    const start = t.hours ? shiftsOn(cal, team, d)[0]?.start : instant(d, 9 * 60, t.timezone);
    if (start !== undefined && start > at.getTime()) return new Date(start);
  }
  throw new RangeError(`team ${t.id} has no working morning within ${MAX_DAYS} days of ${at.toISOString()}`);
}
