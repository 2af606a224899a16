import { DateTime } from 'luxon';
import type { DayInfo } from '../../domain/calendar';
import { t, type Locale } from '../i18n';

/** An instant as ISO 8601 with the zone's offset, to the second: 2026-10-08T09:30:00+08:00. */
export function isoInZone(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toISO({ suppressMilliseconds: true })!;
}

/**
 * A due time as people read it on a card, in the team's zone: "09:30" today, "周一 09:30" within the
 * coming week, "10-08 周四 09:30" beyond.
 */
export function formatDue(iso: string, zone: string, locale: Locale, now: Date): string {
  const d = DateTime.fromISO(iso, { zone });
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  const days = Math.round(d.startOf('day').diff(today, 'days').days);
  const time = d.toFormat('HH:mm');
  const weekday = t(locale, `calendar.weekday.${d.weekday}`);
  if (days === 0) return time;
  if (days > 0 && days < 7) return `${weekday} ${time}`;
  return `${d.toFormat('MM-dd')} ${weekday} ${time}`;
}

export function dayText(locale: Locale, info: DayInfo, team: string | null): string {
  const name = info.name ? (locale === 'en' ? info.name.en : info.name.zh) : '';
  return t(locale, 'calendar.cli.check', {
    date: info.date, workday: info.workday, kind: t(locale, `calendar.kind.${info.kind}`), name, source: t(locale, `calendar.source.${info.source}`), team: team ?? '',
  });
}

export function calendarDueText(locale: Locale, v: { team: string; from: string; minutes: number; due: string }): string {
  return t(locale, 'calendar.cli.due', v);
}

/** The loud warning: years the statutory schedule is unknown for, counted Monday–Friday. */
export function missingYearsText(locale: Locale, years: number[]): string {
  return t(locale, 'calendar.missing_years', { years: years.join(', ') });
}
