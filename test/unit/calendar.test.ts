import fc from 'fast-check';
import {
  addWorkingMinutes, buildCalendar, buildWeekHours, dayInfo, isOnShift, isWorkday, nextShift, nextWorkingMoment,
  nextWorkingMorning, onCallAt, onCallSchedule, parseHourRange, shiftStartsIn, workingMinutesBetween, yearsWithoutData,
  type CalendarSettings, type HoursSpec, type Roster, type TeamCalendar,
} from '../../src/domain/calendar';
import { dueTimes } from '../../src/domain/sla/due';

const team = (id: string, hours: HoursSpec | null, over: Partial<TeamCalendar> = {}): TeamCalendar => ({
  id, timezone: 'Asia/Shanghai', extraHolidays: [], extraWorkdays: [], everyDay: false,
  hours: hours ? buildWeekHours(hours, over.everyDay ?? false) : null, oncall: null, ...over,
});

const roster = (over: Partial<Roster> = {}): Roster => ({
  rotation: 'daily', people: ['zhang', 'li', 'wang'], handoff: 9 * 60, start: '2026-02-14', overrides: [], ...over,
});

const settings = (teams: TeamCalendar[], over: Partial<CalendarSettings> = {}): CalendarSettings => ({
  country: 'CN', extraHolidays: [], extraWorkdays: [], timezone: 'Asia/Shanghai', teams: Object.fromEntries(teams.map((t) => [t.id, t])), people: {}, ...over,
});

const cal = buildCalendar(settings([
  team('office', { weekdays: '09:00-18:00' }),
  team('night', { weekdays: '20:00-08:00' }),
  team('round', { weekdays: ['08:00-20:00', '20:00-08:00'] }),
  team('split', { weekdays: ['09:00-12:00', '13:30-18:00'], sat: '10:00-16:00' }),
  team('always', { weekdays: '09:00-21:00' }, { everyDay: true }),
  team('shop', { weekdays: '09:00-18:00' }, { extraHolidays: ['2026-03-16'], extraWorkdays: ['2026-10-03'] }),
  team('ny', { weekdays: '09:00-17:00' }, { timezone: 'America/New_York' }),
  team('ny24', { weekdays: '00:00-24:00' }, { timezone: 'America/New_York', everyDay: true }),
  team('london', { weekdays: ['00:00-24:00'] }, { timezone: 'Europe/London', everyDay: true }),
  team('kolkata', { weekdays: '09:00-18:00' }, { timezone: 'Asia/Kolkata' }),
  team('oncall', { weekdays: '09:00-18:00' }, { oncall: roster({ overrides: [{ from: '2026-02-16', to: '2026-02-17', person: 'wang' }, { from: '2026-02-17T12:00', to: '2026-02-17T15:00', person: 'zhao' }] }) }),
  team('weekly', { weekdays: '09:00-18:00' }, { oncall: roster({ rotation: 'weekly', start: '2026-03-02', handoff: 0 }) }),
]));
const at = (iso: string) => new Date(iso);

describe('which days are working days', () => {
  it.each([
    // date, team, workday, kind, holiday name, source
    ['2026-10-01', undefined, false, 'holiday', '国庆节', 'statutory'],
    ['2026-10-07', undefined, false, 'holiday', '国庆节', 'statutory'],
    ['2026-10-08', undefined, true, 'workday', null, 'statutory'],
    ['2026-10-10', undefined, true, 'makeup_workday', '国庆节', 'statutory'], // 调休 Saturday
    ['2026-02-14', undefined, true, 'makeup_workday', '春节', 'statutory'],
    ['2026-02-28', undefined, true, 'makeup_workday', '春节', 'statutory'],
    ['2026-10-11', undefined, false, 'weekend', null, 'statutory'],
    ['2026-03-16', undefined, true, 'workday', null, 'statutory'],
    // 2027 has no data in chinese-days 1.5.7: Monday–Friday, 元旦 wrongly a working day, said so.
    ['2027-01-01', undefined, true, 'workday', null, 'weekday_rule'],
    ['2027-01-02', undefined, false, 'weekend', null, 'weekday_rule'],
    ['2026-03-16', 'shop', false, 'team_holiday', null, 'config'],
    ['2026-10-03', 'shop', true, 'team_workday', null, 'config'],
    ['2026-10-01', 'always', true, 'holiday', '国庆节', 'statutory'], // works every day, holidays too
    ['2026-10-11', 'split', false, 'weekend', null, 'statutory'], // Saturday hours of its own, but this is a Sunday
    ['2026-10-17', 'split', true, 'weekend', null, 'statutory'], // an ordinary Saturday with Saturday hours
    ['2026-10-03', 'split', false, 'holiday', '国庆节', 'statutory'], // a Saturday in 国庆: off
  ] as const)('%s (%s): workday %s, %s', (date, t, workday, kind, name, source) => {
    const d = dayInfo(cal, date, t);
    expect({ workday: d.workday, kind: d.kind, name: d.name?.zh ?? null, source: d.source }).toEqual({ workday, kind, name, source });
    expect(isWorkday(cal, date, t)).toBe(workday);
  });

  it('global extra days fill a year without data (the notice came out after the package)', () => {
    const filled = buildCalendar(settings([], { extraHolidays: ['2027-01-01'], extraWorkdays: ['2027-02-06'] }));
    expect(dayInfo(filled, '2027-01-01')).toMatchObject({ workday: false, kind: 'holiday', source: 'config' });
    expect(dayInfo(filled, '2027-02-06')).toMatchObject({ workday: true, kind: 'makeup_workday', source: 'config' });
    expect(yearsWithoutData(filled, [2026, 2027])).toEqual([]);
    expect(yearsWithoutData(cal, [2026, 2027])).toEqual([2027]);
    expect(yearsWithoutData(buildCalendar(settings([], { country: 'none' })), [2027])).toEqual([]);
  });

  it('rejects what is not a date', () => {
    expect(() => dayInfo(cal, '2026-13-01')).toThrow(RangeError);
    expect(() => dayInfo(cal, '2026-1-1')).toThrow(RangeError);
  });
});

describe('hours', () => {
  it.each([
    ['09:00-18:00', { start: 540, end: 1080 }],
    ['20:00-08:00', { start: 1200, end: 1920 }],
    ['00:00-24:00', { start: 0, end: 1440 }],
    ['09:00-09:00', 'error'],
    ['9:00-18:00', 'error'],
    ['18:00-24:30', 'error'],
  ])('%s', (text, expected) => {
    const r = parseHourRange(text);
    if (expected === 'error') expect(r).toHaveProperty('error');
    else expect(r).toEqual(expected);
  });
});

describe('adding working minutes', () => {
  it.each([
    // team, from, minutes, due — the hard cases of the issue
    ['office', '2026-09-30T23:50:00+08:00', 30, '2026-10-08T09:30:00+08:00', '国庆 eve 23:50: 30 min after the first working moment after the holiday'],
    ['office', '2026-09-30T17:50:00+08:00', 30, '2026-10-08T09:20:00+08:00', '10 minutes before 国庆, 20 after it'],
    ['office', '2026-10-09T17:50:00+08:00', 30, '2026-10-10T09:20:00+08:00', 'the 调休 Saturday counts'],
    ['office', '2026-04-03T17:00:00+08:00', 120, '2026-04-07T10:00:00+08:00', '清明 (Sat–Mon) in the middle'],
    ['office', '2026-03-13T17:50:00+08:00', 30, '2026-03-16T09:20:00+08:00', 'an ordinary weekend'],
    ['office', '2026-03-16T10:00:00+08:00', 30, '2026-03-16T10:30:00+08:00', 'inside working hours: as the wall clock'],
    ['office', '2026-03-16T10:00:00+08:00', 0.5, '2026-03-16T10:00:30+08:00', 'fractions of a minute'],
    ['shop', '2026-03-13T17:50:00+08:00', 30, '2026-03-17T09:20:00+08:00', 'a team holiday on Monday'],
    ['night', '2026-03-17T07:50:00+08:00', 30, '2026-03-17T20:20:00+08:00', 'midnight-crossing shift: 10 min of Monday night, then Tuesday night'],
    ['night', '2026-03-16T07:50:00+08:00', 30, '2026-03-16T20:30:00+08:00', 'no Sunday-night shift: Monday 07:50 is off'],
    ['night', '2026-09-30T23:50:00+08:00', 30, '2026-10-01T00:20:00+08:00', 'the night shift that starts on the eve of 国庆 runs to its end'],
    ['night', '2026-10-01T07:50:00+08:00', 30, '2026-10-08T20:20:00+08:00', '…and then no shift until after the holiday'],
    ['round', '2026-03-17T19:50:00+08:00', 30, '2026-03-17T20:20:00+08:00', 'day shift into night shift: continuous'],
    ['round', '2026-03-14T10:00:00+08:00', 30, '2026-03-16T08:30:00+08:00', 'a Saturday: the Friday night shift ended at 08:00'],
    ['split', '2026-03-16T11:50:00+08:00', 30, '2026-03-16T13:50:00+08:00', 'the lunch break does not count'],
    ['split', '2026-03-13T17:50:00+08:00', 30, '2026-03-14T10:20:00+08:00', 'Saturday hours of its own'],
    ['split', '2026-10-09T17:50:00+08:00', 30, '2026-10-10T09:20:00+08:00', 'a 调休 Saturday uses the weekday hours, not the Saturday ones'],
    ['always', '2026-10-01T08:00:00+08:00', 30, '2026-10-01T09:30:00+08:00', 'works every day, 国庆 included'],
    ['kolkata', '2026-03-16T17:30:00+05:30', 60, '2026-03-17T09:30:00+05:30', 'a zone without DST at +05:30'],
    ['ny', '2026-03-06T16:30:00-05:00', 60, '2026-03-09T09:30:00-04:00', 'New York: EST on Friday, EDT on Monday'],
    ['ny24', '2026-03-08T01:30:00-05:00', 60, '2026-03-08T03:30:00-04:00', 'the spring-forward hour does not exist: 02:00 is skipped'],
    ['london', '2026-10-25T00:30:00+01:00', 120, '2026-10-25T01:30:00+00:00', 'autumn fall-back: the repeated hour counts twice'],
    ['unknown-team', '2026-09-30T23:50:00+08:00', 30, '2026-10-01T00:20:00+08:00', 'a team without hours: the wall clock'],
  ])('%s from %s + %s min → %s (%s)', (t, from, minutes, due) => {
    const got = addWorkingMinutes(cal, t, at(from), minutes);
    expect(got.toISOString()).toBe(at(due).toISOString());
    expect(workingMinutesBetween(cal, t, at(from), got)).toBeCloseTo(minutes, 6);
  });

  it('refuses negative minutes and a team that never works', () => {
    expect(() => addWorkingMinutes(cal, 'office', at('2026-03-16T10:00:00+08:00'), -1)).toThrow(RangeError);
    const idle = buildCalendar(settings([team('idle', { sat: '10:00-11:00' }, { extraHolidays: [] })], { country: 'none' }));
    expect(addWorkingMinutes(idle, 'idle', at('2026-03-16T10:00:00+08:00'), 30).toISOString()).toBe(at('2026-03-21T10:30:00+08:00').toISOString());
    const never = buildCalendar(settings([team('never', {})]));
    expect(() => addWorkingMinutes(never, 'never', at('2026-03-16T10:00:00+08:00'), 30)).toThrow(/no working time/);
  });
});

describe('measuring working minutes', () => {
  it.each([
    ['office', '2026-09-30T17:30:00+08:00', '2026-10-08T09:30:00+08:00', 60],
    ['office', '2026-10-09T09:00:00+08:00', '2026-10-12T09:00:00+08:00', 18 * 60], // Fri + 调休 Sat, Sunday off
    ['office', '2026-03-16T12:00:00+08:00', '2026-03-16T10:00:00+08:00', -120],
    ['round', '2026-03-17T00:00:00+08:00', '2026-03-18T00:00:00+08:00', 24 * 60],
    ['round', '2026-03-16T00:00:00+08:00', '2026-03-17T00:00:00+08:00', 16 * 60], // no Sunday-night shift before Monday 08:00
    ['night', '2026-03-16T00:00:00+08:00', '2026-03-17T00:00:00+08:00', 4 * 60], // Monday 20:00–24:00 only
    ['ny24', '2026-03-08T00:00:00-05:00', '2026-03-09T00:00:00-04:00', 23 * 60],
    ['london', '2026-10-25T00:00:00+01:00', '2026-10-26T00:00:00+00:00', 25 * 60],
  ])('%s from %s to %s = %s', (t, from, to, minutes) => {
    expect(workingMinutesBetween(cal, t, at(from), at(to))).toBe(minutes);
  });
});

describe('properties', () => {
  const teams = ['office', 'night', 'round', 'split', 'shop', 'ny', 'ny24', 'london', 'kolkata'];
  const instant = fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2026-12-20T00:00:00Z'), noInvalidDate: true });
  it('adding then measuring working minutes gives the minutes back', () => {
    fc.assert(fc.property(fc.constantFrom(...teams), instant, fc.integer({ min: 0, max: 5000 }), (t, from, m) => {
      const due = addWorkingMinutes(cal, t, from, m);
      expect(workingMinutesBetween(cal, t, from, due)).toBe(m);
      expect(due.getTime()).toBeGreaterThanOrEqual(from.getTime());
    }), { numRuns: 150 });
  });
  it('more minutes never end earlier, and a due time with minutes left is inside a shift', () => {
    fc.assert(fc.property(fc.constantFrom(...teams), instant, fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 600 }), (t, from, m, extra) => {
      const a = addWorkingMinutes(cal, t, from, m);
      const b = addWorkingMinutes(cal, t, from, m + extra);
      expect(b.getTime()).toBeGreaterThanOrEqual(a.getTime());
      // The instant just before a due time is working time (a due time never lands in a gap's middle).
      expect(isOnShift(cal, t, new Date(a.getTime() - 1))).toBe(true);
    }), { numRuns: 150 });
  });
  it('working time splits at any point in between', () => {
    fc.assert(fc.property(fc.constantFrom(...teams), instant, instant, instant, (t, x, y, z) => {
      const [a, b, c] = [x, y, z].sort((p, q) => p.getTime() - q.getTime()) as [Date, Date, Date];
      expect(workingMinutesBetween(cal, t, a, c)).toBeCloseTo(workingMinutesBetween(cal, t, a, b) + workingMinutesBetween(cal, t, b, c), 6);
    }), { numRuns: 60 });
  });
});

describe('shifts', () => {
  it.each([
    ['office', '2026-03-16T10:00:00+08:00', true],
    ['office', '2026-03-16T18:00:00+08:00', false],
    ['office', '2026-10-10T10:00:00+08:00', true],
    ['night', '2026-03-17T07:59:00+08:00', true],
    ['night', '2026-03-17T08:00:00+08:00', false],
    ['night', '2026-03-14T07:00:00+08:00', true], // Friday's night shift into Saturday
    ['night', '2026-03-15T07:00:00+08:00', false],
    ['unknown-team', '2026-10-01T03:00:00+08:00', true],
  ])('%s at %s on shift: %s', (t, when, on) => {
    expect(isOnShift(cal, t, at(when))).toBe(on);
  });

  it('lists shift changes (each start, also where shifts touch) and the next one', () => {
    const starts = shiftStartsIn(cal, 'round', at('2026-03-16T07:00:00+08:00'), at('2026-03-17T08:00:00+08:00'));
    expect(starts.map((s) => new Date(s.start).toISOString())).toEqual([
      at('2026-03-16T08:00:00+08:00').toISOString(), at('2026-03-16T20:00:00+08:00').toISOString(), at('2026-03-17T08:00:00+08:00').toISOString(),
    ]);
    expect(shiftStartsIn(cal, 'unknown-team', at('2026-03-16T07:00:00+08:00'), at('2026-03-18T07:00:00+08:00'))).toEqual([]);
    expect(new Date(nextShift(cal, 'office', at('2026-09-30T18:00:00+08:00')).start).toISOString()).toBe(at('2026-10-08T09:00:00+08:00').toISOString());
    expect(nextWorkingMoment(cal, 'office', at('2026-10-09T19:00:00+08:00')).toISOString()).toBe(at('2026-10-10T09:00:00+08:00').toISOString());
  });

  it.each([
    ['office', '2026-09-30T10:00:00+08:00', '2026-10-08T09:00:00+08:00'],
    ['office', '2026-10-09T10:00:00+08:00', '2026-10-10T09:00:00+08:00'], // the 调休 Saturday
    ['office', '2026-03-16T07:00:00+08:00', '2026-03-16T09:00:00+08:00'], // before today's shift: this morning
    ['round', '2026-03-16T21:00:00+08:00', '2026-03-17T08:00:00+08:00'],
    ['unknown-team', '2026-02-13T20:00:00+08:00', '2026-02-14T09:00:00+08:00'], // no hours: 09:00 of the next working day
  ])('the next working morning of %s after %s is %s', (t, when, morning) => {
    expect(nextWorkingMorning(cal, t, at(when)).toISOString()).toBe(at(morning).toISOString());
  });
});

describe('on call', () => {
  it.each([
    ['2026-02-14T10:00:00+08:00', 'zhang', false],
    ['2026-02-15T08:59:00+08:00', 'zhang', false], // before the 09:00 handoff: yesterday's person
    ['2026-02-15T09:00:00+08:00', 'li', false],
    ['2026-02-16T10:00:00+08:00', 'wang', true], // override for the 16th…
    ['2026-02-17T13:00:00+08:00', 'zhao', true], // …a later, shorter one wins where they overlap
    ['2026-02-18T08:59:00+08:00', 'wang', true], // …and the 17th until the next handoff
    ['2026-02-18T09:00:00+08:00', 'li', false], // back to the rotation: day 4 → li
    ['2026-02-13T10:00:00+08:00', 'wang', false], // before the start date the rotation runs backwards
  ])('at %s: %s', (when, person, override) => {
    expect(onCallAt(cal, 'oncall', at(when))).toMatchObject({ person, override });
  });

  it('now and next, a weekly rotation, and no roster', () => {
    const [now, next] = onCallSchedule(cal, 'oncall', at('2026-02-15T10:00:00+08:00'), 2);
    expect(now).toMatchObject({ person: 'li', until: at('2026-02-16T09:00:00+08:00') });
    expect(next).toMatchObject({ person: 'wang', from: at('2026-02-16T09:00:00+08:00'), until: at('2026-02-17T12:00:00+08:00') });
    expect(onCallAt(cal, 'weekly', at('2026-03-08T23:00:00+08:00'))).toMatchObject({ person: 'zhang', until: at('2026-03-09T00:00:00+08:00') });
    expect(onCallAt(cal, 'weekly', at('2026-03-09T00:00:00+08:00'))).toMatchObject({ person: 'li' });
    expect(onCallAt(cal, 'office', at('2026-03-09T00:00:00+08:00'))).toBeNull();
  });
});

describe('SLA due times', () => {
  it('a business clock counts working time only; a wall clock (and no calendar) does not', () => {
    const start = at('2026-09-30T23:50:00+08:00');
    const input = { team: 'office', start, claimMinutes: 30, resolveMinutes: 120 };
    expect(dueTimes({ ...input, clock: 'business' }, cal)).toEqual({ claimDueAt: at('2026-10-08T09:30:00+08:00'), resolveDueAt: at('2026-10-08T11:00:00+08:00') });
    expect(dueTimes({ ...input, clock: 'wall' }, cal)).toEqual({ claimDueAt: at('2026-10-01T00:20:00+08:00'), resolveDueAt: at('2026-10-01T01:50:00+08:00') });
    expect(dueTimes({ ...input, clock: 'business' })).toEqual({ claimDueAt: at('2026-10-01T00:20:00+08:00'), resolveDueAt: at('2026-10-01T01:50:00+08:00') });
  });
});
