import { getDayDetail } from 'chinese-days';

export interface StatutoryDay {
  /** A statutory day off (incl. a weekday given off in lieu), a make-up working day, or an ordinary day. */
  kind: 'holiday' | 'makeup_workday' | 'ordinary';
  work: boolean;
  name: { en: string; zh: string } | null;
}

const dataYears = new Map<number, boolean>();

/**
 * Whether `chinese-days` carries the State Council schedule for `year`. For a year it lacks it
 * silently answers Monday–Friday; 元旦 (1 January) is a named holiday in every year it has.
 */
export function hasStatutoryData(year: number): boolean {
  let has = dataYears.get(year);
  if (has === undefined) {
    has = getDayDetail(`${year}-01-01`).name.includes(',');
    dataYears.set(year, has);
  }
  return has;
}

/**
 * The statutory verdict on a local date, or null when the package has no data for its year.
 * Always a `YYYY-MM-DD` string: the package reads a `Date` in UTC.
 */
export function statutoryDay(date: string): StatutoryDay | null {
  if (!hasStatutoryData(Number(date.slice(0, 4)))) return null;
  const d = getDayDetail(date);
  // Named days are "National Day,国庆节,3"; ordinary days carry the weekday's name.
  const [en, zh] = d.name.split(',');
  if (zh === undefined || en === undefined) return { kind: 'ordinary', work: d.work, name: null };
  return { kind: d.work ? 'makeup_workday' : 'holiday', work: d.work, name: { en, zh } };
}
