import { WEEKDAYS, type Weekday, type WeekHours } from './types';
import type { HourRange } from './types';

const RANGE = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/;

/**
 * "09:00-18:00" → 540–1080; "20:00-08:00" crosses midnight → 1200–1920; "00:00-24:00" is the whole
 * day. Null for anything else (a zero-length range, 24:30 …), with the reason for config errors.
 */
export function parseHourRange(text: string): HourRange | { error: string } {
  const m = RANGE.exec(text.trim());
  if (!m) return { error: 'must be HH:MM-HH:MM, e.g. 09:00-18:00 (20:00-08:00 crosses midnight)' };
  const start = Number(m[1]) * 60 + Number(m[2]);
  let end = Number(m[3]) * 60 + Number(m[4]);
  if (end > 1440) return { error: 'the end may be 24:00 at the latest' };
  if (end === start) return { error: 'a range needs a length: from and to are the same' };
  if (end < start) end += 1440;
  return { start, end };
}

const pad = (n: number) => String(n).padStart(2, '0');
const hhmm = (m: number) => (m === 1440 ? '24:00' : `${pad(Math.floor((m % 1440) / 60))}:${pad(m % 60)}`);

/** The range as written in orderops.yml: 540–1080 → "09:00-18:00", 1200–1920 → "20:00-08:00". */
export function formatHourRange(r: HourRange): string {
  return `${hhmm(r.start)}-${hhmm(r.end)}`;
}

/** Hours as orderops.yml writes them: one range, a list of ranges, or per day (`weekdays`, `mon` … `sun`). */
export type HoursSpec = Partial<Record<'weekdays' | Weekday, string | string[]>>;

const list = (v: string | string[] | undefined): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

function ranges(texts: string[]): HourRange[] {
  return texts.map((x) => {
    const r = parseHourRange(x);
    if ('error' in r) throw new RangeError(`${x}: ${r.error}`);
    return r;
  }).sort((a, b) => a.start - b.start);
}

/**
 * The week's hours from the spec: a day's own key wins over `weekdays` (Monday–Friday). Saturday
 * and Sunday have hours only when given (or, for a team that works every day, the weekday hours).
 * A make-up working day uses `weekdays`, else Monday's hours.
 * @example buildWeekHours({ weekdays: '09:00-18:00' }, false).days.mon // [{ start: 540, end: 1080 }]
 */
export function buildWeekHours(spec: HoursSpec, everyDay: boolean): WeekHours {
  const weekdays = list(spec.weekdays);
  const days = {} as Record<Weekday, HourRange[]>;
  for (const d of WEEKDAYS) {
    const own = list(spec[d]);
    const weekend = d === 'sat' || d === 'sun';
    days[d] = ranges(own ?? (!weekend || everyDay ? weekdays ?? [] : []));
  }
  return { days, makeup: weekdays ? ranges(weekdays) : days.mon };
}

/** Ranges of one day that overlap each other, as text for a config error; null when none do. */
export function overlapping(rs: HourRange[]): string | null {
  const sorted = [...rs].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.start < sorted[i - 1]!.end) return `${formatHourRange(sorted[i - 1]!)} and ${formatHourRange(sorted[i]!)} overlap`;
  }
  return null;
}
