import { DateTime } from 'luxon';

/** "09:00" → "0 9 * * *", the cron pattern of a daily run (its time zone is given separately). */
export function dailyPattern(time: string): string {
  const [h, m] = time.split(':').map(Number);
  return `${m} ${h} * * *`;
}

/**
 * The next daily run strictly after `now`, at `time` (HH:MM) in `timezone`. DST-safe: luxon puts a
 * time skipped by a spring-forward at the next valid instant.
 * @example nextDailyRun(new Date('2026-01-08T00:30:00Z'), '09:00', 'Asia/Shanghai') // 2026-01-08T01:00:00Z
 */
export function nextDailyRun(now: Date, time: string, timezone: string): Date {
  const [h, m] = time.split(':').map(Number);
  const local = DateTime.fromJSDate(now, { zone: timezone });
  let at = local.set({ hour: h, minute: m, second: 0, millisecond: 0 });
  if (at.toMillis() <= now.getTime()) at = at.plus({ days: 1 }).set({ hour: h, minute: m, second: 0, millisecond: 0 });
  return at.toJSDate();
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone: what a report is "for". */
export function localDate(at: Date, timezone: string): string {
  return DateTime.fromJSDate(at, { zone: timezone }).toISODate()!;
}

/** The calendar day before a YYYY-MM-DD date. */
export function previousDate(date: string): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).minus({ days: 1 }).toISODate()!;
}
