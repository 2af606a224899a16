import { parseArgs } from 'node:util';
import { readConfig } from '../config';
import type { Settings } from '../config/settings';
import { addWorkingMinutes, buildCalendar, dayInfo, yearsWithoutData } from '../domain/calendar';
import { calendarDueText, dayText, isoInZone, missingYearsText } from '../present/calendar/calendar-texts';

export const CALENDAR_HELP = `orderops calendar check <YYYY-MM-DD> [--team ID] [--json]
orderops calendar due --team ID --from <ISO instant> --minutes N [--json]

What the work calendar thinks (holidays and 调休 from chinese-days, extra days from orderops.yml,
the team's hours in its time zone):
  check   whether a date is a working day, and why
          --json: {"date", "workday", "kind", "name", "source"}
  due     the instant N working minutes after --from on the team's business clock
          --json: {"due": "<ISO instant with the team's offset>"}`;

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** `orderops calendar …` against settings (no database needed). */
export function calendarCli(argv: string[], settings: Settings): CliResult {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { team: { type: 'string' }, from: { type: 'string' }, minutes: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (e) {
    return { code: 2, out: '', err: `${(e as Error).message}\n\n${CALENDAR_HELP}` };
  }
  const { values, positionals } = parsed;
  const [sub, arg] = positionals;
  if (values.help || !sub) return { code: values.help ? 0 : 2, out: values.help ? CALENDAR_HELP : '', err: values.help ? '' : CALENDAR_HELP };
  const cal = buildCalendar(settings.calendar);
  const locale = settings.locale;
  const team = values.team;
  if (team !== undefined && !settings.teams[team]) {
    return { code: 2, out: '', err: `unknown team "${team}" (teams: ${Object.keys(settings.teams).join(', ')})` };
  }
  const tz = team ? cal.settings.teams[team]?.timezone ?? cal.settings.timezone : cal.settings.timezone;
  const warn = (years: number[]) => (years.length > 0 ? missingYearsText(locale, years) : '');
  if (sub === 'check') {
    if (!arg || !/^\d{4}-\d{2}-\d{2}$/.test(arg)) return { code: 2, out: '', err: `usage: orderops calendar check <YYYY-MM-DD> [--team ID] [--json]` };
    let info;
    try {
      info = dayInfo(cal, arg, team);
    } catch (e) {
      return { code: 2, out: '', err: (e as Error).message };
    }
    const name = info.name ? (locale === 'en' ? info.name.en : info.name.zh) : null;
    const out = values.json
      ? JSON.stringify({ date: info.date, workday: info.workday, kind: info.kind, name, source: info.source })
      : dayText(locale, info, team ?? null);
    return { code: 0, out, err: warn(yearsWithoutData(cal, [Number(arg.slice(0, 4))])) };
  }
  if (sub === 'due') {
    const minutes = Number(values.minutes);
    const from = values.from ? new Date(values.from) : undefined;
    if (!team || !from || Number.isNaN(from.getTime()) || !/(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(values.from ?? '') || values.minutes === undefined || !(minutes >= 0) || !Number.isFinite(minutes)) {
      return { code: 2, out: '', err: 'usage: orderops calendar due --team ID --from <ISO instant with offset, e.g. 2026-09-30T23:50:00+08:00> --minutes N [--json]' };
    }
    let due: Date;
    try {
      due = addWorkingMinutes(cal, team, from, minutes);
    } catch (e) {
      return { code: 1, out: '', err: (e as Error).message };
    }
    const iso = isoInZone(due, tz);
    const years = yearsWithoutData(cal, [...new Set([from.getUTCFullYear(), due.getUTCFullYear()])]);
    return { code: 0, out: values.json ? JSON.stringify({ due: iso }) : calendarDueText(locale, { team, from: isoInZone(from, tz), minutes, due: iso }), err: warn(years) };
  }
  return { code: 2, out: '', err: `unknown calendar command "${sub}"\n\n${CALENDAR_HELP}` };
}

export function calendarCommand(argv: string[]): number {
  const r = calendarCli(argv, readConfig().settings);
  if (r.out) console.log(r.out);
  if (r.err) console.error(r.err);
  return r.code;
}
