import { parseSettings, type ConfigProblem } from '../../src/config/load-file';
import { addWorkingMinutes, buildCalendar, dayInfo, isOnShift, onCallAt, personCalendar } from '../../src/domain/calendar';
import { OrderopsError } from '../../src/domain/errors';

const y = (...lines: string[]) => lines.join('\n') + '\n';
// service last, so the lines after TEAMS are its keys (line 7 on).
const TEAMS = ['teams:', '  finance: { name: 财务组 }', '  warehouse: { name: 仓储组 }', '  review: { name: 审核组 }', '  service:', '    name: 客服组'];
const STAFF = ['staff:', '  - { id: zhang, name: 张三, role: agent, team: service }', '  - { id: li, name: 李四, role: supervisor, team: service }',
  '  - { id: zhao, name: 赵六, role: agent, team: service, hours: { weekdays: "20:00-08:00" } }'];

function problemsOf(text: string): ConfigProblem[] {
  try {
    parseSettings(text, 'test.yml');
  } catch (e) {
    expect(e).toBeInstanceOf(OrderopsError);
    return (e as OrderopsError).details as ConfigProblem[];
  }
  throw new Error(`expected test.yml to be refused:\n${text}`);
}

describe('calendar keys in orderops.yml', () => {
  it('a three-person rota across 春节: hours, time zone, roster with leave, business-clock route', () => {
    const s = parseSettings(y(
      'timezone: Asia/Shanghai',
      'calendar: { extra_holidays: [2027-01-01], extra_workdays: [] }',
      ...TEAMS,
      '    timezone: Asia/Shanghai',
      '    calendar: { extra_holidays: [2026-02-24] }',
      '    hours:',
      '      weekdays: ["08:00-20:00", "20:00-08:00"]',
      '      sat: "10:00-16:00"',
      '    oncall:',
      '      rotation: daily',
      '      people: [zhang, li, zhao]',
      '      handoff: "20:00"',
      '      start: 2026-02-14',
      '      overrides: [{ from: 2026-02-16, to: 2026-02-18, person: li }]',
      ...STAFF,
      'rules:',
      '  routes:',
      '    vague_address: { team: service, clock: business }',
    ));
    const cal = buildCalendar(s.calendar);
    expect(s.rules.routes.vague_address).toMatchObject({ team: 'service', clock: 'business' });
    expect(s.calendar.teams.service).toMatchObject({ timezone: 'Asia/Shanghai', extraHolidays: ['2026-02-24'], oncall: { people: ['zhang', 'li', 'zhao'], handoff: 1200 } });
    expect(dayInfo(cal, '2027-01-01')).toMatchObject({ kind: 'holiday', source: 'config' });
    expect(dayInfo(cal, '2026-02-24', 'service')).toMatchObject({ kind: 'team_holiday', workday: false });
    // 春节 2026: 2/15–2/23 off, 2/14 and 2/28 make-up Saturdays.
    expect(addWorkingMinutes(cal, 'service', new Date('2026-02-14T23:50:00+08:00'), 30).toISOString()).toBe(new Date('2026-02-15T00:20:00+08:00').toISOString());
    expect(addWorkingMinutes(cal, 'service', new Date('2026-02-15T09:00:00+08:00'), 30).toISOString()).toBe(new Date('2026-02-25T08:30:00+08:00').toISOString());
    expect(onCallAt(cal, 'service', new Date('2026-02-17T10:00:00+08:00'))).toMatchObject({ person: 'li', override: true });
    // 赵六 works nights only.
    const zhao = personCalendar(cal, 'zhao')!;
    expect(isOnShift(cal, zhao, new Date('2026-03-16T21:00:00+08:00'))).toBe(true);
    expect(isOnShift(cal, zhao, new Date('2026-03-16T10:00:00+08:00'))).toBe(false);
    expect(isOnShift(cal, personCalendar(cal, 'zhang')!, new Date('2026-03-16T10:00:00+08:00'))).toBe(true);
  });

  it.each<[string, string, string, number]>([
    ['a date that does not exist', y('calendar:', '  extra_holidays: [2027-02-30]'), 'calendar.extra_holidays.0', 2],
    ['an unknown country', y('calendar:', '  country: US'), 'calendar.country', 2],
    ['an hours range without a length', y(...TEAMS, '    hours: { weekdays: "09:00-09:00" }'), 'teams.service.hours.weekdays', 7],
    ['an hours range badly written', y(...TEAMS, '    hours:', '      mon: "9-18"'), 'teams.service.hours.mon', 8],
    ['an unknown day key', y(...TEAMS, '    hours:', '      monday: "09:00-18:00"'), 'teams.service.hours.monday', 8],
    ['overlapping ranges of one day', y(...TEAMS, '    hours:', '      weekdays: ["08:00-20:00", "19:00-23:00"]'), 'teams.service.hours.weekdays', 8],
    ['an on-call person who is not staff', y(...TEAMS, '    oncall:', '      people: [zhang, wu]', ...STAFF), 'teams.service.oncall.people.1', 8],
    ['an override that ends before it starts', y(...TEAMS, '    oncall:', '      people: [zhang]', '      overrides:', '        - { from: 2026-02-18, to: 2026-02-16, person: li }', ...STAFF), 'teams.service.oncall.overrides.0.to', 10],
    ['a handoff time badly written', y(...TEAMS, '    oncall:', '      people: [zhang]', '      handoff: 9am', ...STAFF), 'teams.service.oncall.handoff', 9],
    ['a business clock for a team without hours', y('rules:', '  routes:', '    payment:', '      team: finance', '      clock: business'), 'rules.routes.payment.clock', 5],
    ['a clock that is neither', y('rules:', '  routes:', '    payment:', '      team: finance', '      clock: office'), 'rules.routes.payment.clock', 5],
    ['a person\'s hours without a team', y('staff:', '  - id: wu', '    name: 吴', '    role: agent', '    hours: { weekdays: "09:00-18:00" }'), 'staff.0.hours', 5],
    ['hours with no range on any day', y(...TEAMS, '    hours: {}'), 'teams.service.hours', 7],
    ['a team time zone that does not exist', y(...TEAMS, '    timezone: Asia/Beijing'), 'teams.service.timezone', 7],
  ])('%s', (_name, text, key, line) => {
    const problems = problemsOf(text);
    expect(problems).toEqual([{ key, line, message: expect.any(String) }]);
  });
});
