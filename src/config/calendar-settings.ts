import { buildWeekHours, overlapping, teamCalendar, WEEKDAYS, type WorkCalendar, type CalendarSettings, type HoursSpec, type TeamCalendar } from '../domain/calendar';
import type { FileConfig } from './schema';
import type { ConfigProblem } from './config-errors';
import type { Settings } from './settings';

type FileTeam = NonNullable<FileConfig['teams']>[string];

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function toTeam(id: string, t: Partial<FileTeam>, timezone: string): TeamCalendar {
  const everyDay = t.calendar?.every_day ?? false;
  return {
    id,
    timezone: t.timezone ?? timezone,
    extraHolidays: t.calendar?.extra_holidays ?? [],
    extraWorkdays: t.calendar?.extra_workdays ?? [],
    everyDay,
    hours: t.hours ? buildWeekHours(t.hours as HoursSpec, everyDay) : null,
    oncall: t.oncall
      ? {
          rotation: t.oncall.rotation ?? 'daily',
          people: t.oncall.people,
          handoff: minutesOf(t.oncall.handoff ?? '09:00'),
          start: t.oncall.start ?? '2026-01-01',
          overrides: t.oncall.overrides ?? [],
        }
      : null,
  };
}

/** calendar: and each team's timezone / calendar / hours / oncall keys. */
export function toCalendar(f: FileConfig, teams: Record<string, Partial<FileTeam>>): CalendarSettings {
  const timezone = f.timezone ?? 'Asia/Shanghai';
  return {
    country: f.calendar?.country ?? 'CN',
    extraHolidays: f.calendar?.extra_holidays ?? [],
    extraWorkdays: f.calendar?.extra_workdays ?? [],
    timezone,
    teams: Object.fromEntries(Object.entries(teams).map(([id, t]) => [id, toTeam(id, t, timezone)])),
    people: Object.fromEntries((f.staff ?? []).filter((m) => m.team).map((m) => [m.id, {
      team: m.team!, hours: m.hours ? buildWeekHours(m.hours as HoursSpec, teams[m.team!]?.calendar?.every_day ?? false) : null,
    }])),
  };
}

/** Checks across calendar keys: roster people are staff, business clocks have hours, ranges do not overlap. */
export function calendarProblems(s: Settings, f: FileConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const staffIds = new Set(s.staff.map((m) => m.id));
  const staffList = [...staffIds].join(', ') || 'none';
  const hoursProblems = (key: string, spec: HoursSpec | undefined) => {
    if (!spec) return;
    const week = buildWeekHours(spec, false);
    const seen = new Set<string>();
    for (const d of WEEKDAYS) {
      const o = overlapping(week.days[d]);
      const at = `${key}.${spec[d] ? d : 'weekdays'}`;
      if (o && !seen.has(at)) problems.push({ key: at, message: `${o}: give each range once` });
      if (o) seen.add(at);
    }
  };
  for (const [id, t] of Object.entries(f.teams ?? {})) {
    hoursProblems(`teams.${id}.hours`, t.hours as HoursSpec | undefined);
    t.oncall?.people.forEach((p, i) => {
      if (!staffIds.has(p)) problems.push({ key: `teams.${id}.oncall.people.${i}`, message: `"${p}" is not a staff id (${staffList})` });
    });
    t.oncall?.overrides?.forEach((o, i) => {
      if (!staffIds.has(o.person)) problems.push({ key: `teams.${id}.oncall.overrides.${i}.person`, message: `"${o.person}" is not a staff id (${staffList})` });
      if (o.to < o.from) problems.push({ key: `teams.${id}.oncall.overrides.${i}.to`, message: `ends (${o.to}) before it starts (${o.from})` });
    });
    if (t.hours && WEEKDAYS.every((d) => s.calendar.teams[id]?.hours?.days[d].length === 0)) {
      problems.push({ key: `teams.${id}.hours`, message: 'no working hours on any day: give weekdays: "09:00-18:00" or per day mon … sun' });
    }
  }
  (f.staff ?? []).forEach((m, i) => {
    hoursProblems(`staff.${i}.hours`, m.hours as HoursSpec | undefined);
    if (m.hours && !m.team) problems.push({ key: `staff.${i}.hours`, message: 'a person\'s own hours need their team: add team:' });
  });
  for (const [type, route] of Object.entries(s.rules.routes)) {
    if (route.clock === 'business' && !s.calendar.teams[route.team]?.hours) {
      problems.push({
        key: f.rules?.routes?.[type] ? `rules.routes.${type}.clock` : 'teams',
        message: `a business clock needs the working hours of team "${route.team}": add teams.${route.team}.hours (e.g. weekdays: "09:00-18:00") or use clock: wall`,
      });
    }
  }
  return problems;
}

/** How cards name a team and show its times: its display name and time zone. */
export function cardViews(s: Settings, cal: WorkCalendar): { zoneOf(team: string): string; teamName(team: string): string } {
  return { zoneOf: (team) => teamCalendar(cal, team).timezone, teamName: (team) => s.teams[team]?.name ?? team };
}
