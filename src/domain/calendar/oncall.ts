import { DateTime } from 'luxon';
import { teamCalendar, type WorkCalendar } from './calendar';
import type { Roster, TeamCalendar } from './types';

/** One stretch of on-call duty. */
export interface Duty {
  person: string;
  from: Date;
  until: Date;
  /** Set by a dated override (a swap or leave cover), not the rotation. */
  override: boolean;
}

const DAY_MINUTES = 1440;

function at(date: string, minutes: number, zone: string): number {
  return DateTime.fromISO(date, { zone }).startOf('day').plus({ minutes }).toMillis();
}

/** An override's bounds: a date means that day's handoff (from) or the handoff after that day (to). */
function overrideSpan(r: Roster, o: Roster['overrides'][number], zone: string): { from: number; to: number } {
  const edge = (v: string, isEnd: boolean) => v.length === 10
    ? at(v, r.handoff + (isEnd ? DAY_MINUTES : 0), zone)
    : DateTime.fromISO(v, { zone }).toMillis();
  return { from: edge(o.from, false), to: edge(o.to, true) };
}

/** The rotation's period around `t`: its index in `people` and its bounds. */
function rotationAt(r: Roster, zone: string, t: number): { index: number; from: number; until: number } {
  const local = DateTime.fromMillis(t, { zone });
  // The duty day starts at the handoff: before it, yesterday's person is still on.
  let day = local.startOf('day');
  if (local.hour * 60 + local.minute < r.handoff) day = day.minus({ days: 1 });
  const start = DateTime.fromISO(r.start, { zone }).startOf('day');
  const days = Math.round(day.diff(start, 'days').days);
  const len = r.rotation === 'daily' ? 1 : 7;
  const k = Math.floor(days / len);
  const n = r.people.length;
  const first = start.plus({ days: k * len }).toISODate()!;
  const next = start.plus({ days: (k + 1) * len }).toISODate()!;
  return { index: ((k % n) + n) % n, from: at(first, r.handoff, zone), until: at(next, r.handoff, zone) };
}

/**
 * Who is on call for a team at an instant (dated overrides first, the later one winning), or
 * null without a roster.
 */
export function onCallAt(cal: WorkCalendar, team: string | TeamCalendar, t: Date): Duty | null {
  const tc = teamCalendar(cal, team);
  const r = tc.oncall;
  if (!r || r.people.length === 0) return null;
  const ms = t.getTime();
  const rot = rotationAt(r, tc.timezone, ms);
  const spans = r.overrides.map((o) => ({ o, ...overrideSpan(r, o, tc.timezone) }));
  for (let i = spans.length - 1; i >= 0; i--) {
    const s = spans[i]!;
    if (ms >= s.from && ms < s.to) {
      // Until this override ends or a later one starts over it.
      const cut = spans.slice(i + 1).map((x) => x.from).filter((f) => f > ms);
      return { person: s.o.person, from: new Date(s.from), until: new Date(Math.min(s.to, ...cut)), override: true };
    }
  }
  const cut = spans.map((x) => x.from).filter((f) => f > ms && f < rot.until);
  return { person: r.people[rot.index]!, from: new Date(rot.from), until: new Date(Math.min(rot.until, ...cut)), override: false };
}

/**
 * The duty at `t` and the following ones (a different person each), for "who is on now and next".
 * @example onCallSchedule(cal, 'service', now, 2) // [{ person: 'lisi', until… }, { person: 'wangwu', from… }]
 */
export function onCallSchedule(cal: WorkCalendar, team: string | TeamCalendar, t: Date, count: number): Duty[] {
  const out: Duty[] = [];
  let cursor = t;
  for (let guard = 0; out.length < count && guard < 400; guard++) {
    const d = onCallAt(cal, team, cursor);
    if (!d) break;
    const prev = out[out.length - 1];
    if (prev && prev.person === d.person) prev.until = d.until;
    else out.push({ ...d, from: out.length === 0 ? d.from : cursor });
    cursor = d.until;
  }
  return out;
}
