import { calendarCli } from '../../src/cli/calendar';
import { parseSettings } from '../../src/config/load-file';

/** `orderops calendar check|due … --json` exactly as the public surface says. */
const settings = parseSettings([
  'teams:',
  '  finance: { name: 财务组 }',
  '  warehouse: { name: 仓储组 }',
  '  review: { name: 审核组 }',
  '  service:',
  '    name: 客服组',
  '    hours: { weekdays: "09:00-18:00" }',
  '    calendar: { extra_holidays: [2026-12-31] }',
  '  night:',
  '    name: 夜班',
  '    timezone: America/New_York',
  '    hours: { weekdays: "20:00-08:00" }',
].join('\n'));
const en = { ...settings, locale: 'en' as const };

describe('orderops calendar check', () => {
  it.each([
    [['check', '2026-10-08', '--json'], { date: '2026-10-08', workday: true, kind: 'workday', name: null, source: 'statutory' }],
    [['check', '2026-10-01', '--json'], { date: '2026-10-01', workday: false, kind: 'holiday', name: '国庆节', source: 'statutory' }],
    [['check', '2026-10-10', '--json'], { date: '2026-10-10', workday: true, kind: 'makeup_workday', name: '国庆节', source: 'statutory' }],
    [['check', '2026-10-11', '--json'], { date: '2026-10-11', workday: false, kind: 'weekend', name: null, source: 'statutory' }],
    [['check', '2026-12-31', '--team', 'service', '--json'], { date: '2026-12-31', workday: false, kind: 'team_holiday', name: null, source: 'config' }],
    [['check', '2027-01-01', '--json'], { date: '2027-01-01', workday: true, kind: 'workday', name: null, source: 'weekday_rule' }],
  ])('%j', (argv, expected) => {
    const r = calendarCli(argv, settings);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(expected);
    // A year without data is said loudly on stderr; a year with data is not.
    if (expected.source === 'weekday_rule') expect(r.err).toContain('2027');
    else expect(r.err).toBe('');
  });

  it('names the holiday in the configured language and says it in words without --json', () => {
    expect(JSON.parse(calendarCli(['check', '2026-10-01', '--json'], en).out).name).toBe('National Day');
    expect(calendarCli(['check', '2026-10-10'], settings).out).toBe('2026-10-10：上班 —— 调休上班日 国庆节（国务院放假安排）');
    expect(calendarCli(['check', '2026-10-01', '--team', 'service'], en).out).toBe('2026-10-01 (team service): day off — statutory holiday National Day (State Council schedule)');
  });
});

describe('orderops calendar due', () => {
  it.each([
    [['--team', 'service', '--from', '2026-09-30T23:50:00+08:00', '--minutes', '30'], '2026-10-08T09:30:00+08:00'],
    [['--team', 'service', '--from', '2026-09-30T15:50:00Z', '--minutes', '30'], '2026-10-08T09:30:00+08:00'],
    [['--team', 'service', '--from', '2026-10-09T17:50:00+08:00', '--minutes', '30'], '2026-10-10T09:20:00+08:00'],
    // New York: Friday night shift, the DST change (2026-03-08) in between: Monday's shift is in EDT.
    [['--team', 'night', '--from', '2026-03-07T07:30:00-05:00', '--minutes', '60'], '2026-03-09T20:30:00-04:00'],
    [['--team', 'warehouse', '--from', '2026-09-30T23:50:00+08:00', '--minutes', '30'], '2026-10-01T00:20:00+08:00'], // no hours: wall clock
  ])('%j → %s', (argv, due) => {
    const r = calendarCli(['due', ...argv, '--json'], settings);
    expect(r).toEqual({ code: 0, out: JSON.stringify({ due }), err: '' });
  });

  it('says it in words without --json', () => {
    expect(calendarCli(['due', '--team', 'service', '--from', '2026-09-30T23:50:00+08:00', '--minutes', '30'], settings).out)
      .toBe('service 团队：从 2026-09-30T23:50:00+08:00 起 30 个工作分钟 → 截止 2026-10-08T09:30:00+08:00');
  });

  it.each([
    [['due', '--from', '2026-09-30T23:50:00+08:00', '--minutes', '30'], /--team ID/],
    [['due', '--team', 'service', '--from', '2026-09-30T23:50', '--minutes', '30'], /with offset/],
    [['due', '--team', 'service', '--from', 'yesterday', '--minutes', '30'], /with offset/],
    [['due', '--team', 'service', '--from', '2026-09-30T23:50:00+08:00', '--minutes', '-5'], /--minutes N/],
    [['due', '--team', 'sales', '--from', '2026-09-30T23:50:00+08:00', '--minutes', '5'], /unknown team "sales"/],
    [['check', '2026-02-30', '--json'], /not a date/],
    [['check'], /usage/],
    [['nope'], /unknown calendar command/],
    [['check', '2026-10-01', '--bogus'], /Unknown option/],
  ])('%j is refused with advice', (argv, message) => {
    const r = calendarCli(argv, settings);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
  });
});
