import { nextEscalation, nextWindowOpen, stepId, withinWindow, type SlaPolicy, type SlaState } from '../../src/domain/sla/policy';
import { planEscalation, type ChannelRules } from '../../src/domain/sla/plan';
import type { Staff } from '../../src/domain/staff';

const T0 = new Date('2026-01-08T12:00:00Z');
const min = (n: number) => new Date(T0.getTime() + n * 60_000);
const noRepeats: SlaPolicy = { level1: { repeatEveryMinutes: null, maxRepeats: 0 }, level2: { repeatEveryMinutes: null, maxRepeats: 0 } };
const repeats: SlaPolicy = { level1: { repeatEveryMinutes: 10, maxRepeats: 2 }, level2: { repeatEveryMinutes: 15, maxRepeats: 1 } };
const state = (over: Partial<SlaState> = {}): SlaState => ({
  status: 'open', assignee: null, claimDueAt: min(30), resolveDueAt: min(60), level1Sent: 0, level2Sent: 0, ...over,
});

describe('the next escalation', () => {
  it.each([
    ['an open exception: level 1 at the claim deadline', state(), noRepeats, 'l1-0', min(30)],
    ['level 1 done, no repeats: level 2 at the resolve deadline', state({ level1Sent: 1 }), noRepeats, 'l2-0', min(60)],
    ['claimed before its claim deadline: only level 2 remains', state({ assignee: 'li', status: 'claimed' }), noRepeats, 'l2-0', min(60)],
    ['both levels done, no repeats: nothing', state({ level1Sent: 1, level2Sent: 1 }), noRepeats, null, null],
    ['resolved: nothing, whatever else', state({ status: 'resolved' }), repeats, null, null],
    ['first level-1 repeat, 10 min after the deadline', state({ level1Sent: 1 }), repeats, 'l1-1', min(40)],
    ['second repeat keeps the grid (deadline + 2 × 10), not drift', state({ level1Sent: 2 }), repeats, 'l1-2', min(50)],
    ['repeats exhausted: level 2 next', state({ level1Sent: 3 }), repeats, 'l2-0', min(60)],
    ['level-2 repeat at deadline + 15', state({ level1Sent: 3, level2Sent: 1 }), repeats, 'l2-1', min(75)],
    ['claimed stops level-1 repeats', state({ level1Sent: 1, assignee: 'li', status: 'escalated' }), repeats, 'l2-0', min(60)],
    ['same instant: the more serious level first', state({ claimDueAt: min(60) }), noRepeats, 'l2-0', min(60)],
  ] as const)('%s', (_label, s, policy, id, at) => {
    const next = nextEscalation(s, policy);
    expect(next ? stepId(next) : null).toBe(id);
    expect(next?.at ?? null).toEqual(at);
  });
});

describe('channel windows in the configured time zone', () => {
  const day = { from: '08:00', to: '22:00' };
  const night = { from: '22:00', to: '06:00' };
  it.each([
    [day, 'Asia/Shanghai', '2026-01-08T00:30:00Z', true], // 08:30 in Shanghai
    [day, 'Asia/Shanghai', '2026-01-07T23:59:00Z', false], // 07:59
    [day, 'Asia/Shanghai', '2026-01-08T14:00:00Z', false], // 22:00 exactly: closed
    [day, 'Europe/London', '2026-01-08T00:30:00Z', false], // 00:30 in London
    [night, 'Asia/Shanghai', '2026-01-08T15:00:00Z', true], // 23:00, spans midnight
    [night, 'Asia/Shanghai', '2026-01-08T02:00:00Z', false], // 10:00
    [null, 'Asia/Shanghai', '2026-01-08T02:00:00Z', true],
  ] as const)('%o in %s at %s → %p', (w, tz, at, inside) => {
    expect(withinWindow(w, tz, new Date(at))).toBe(inside);
  });

  it.each([
    ['Asia/Shanghai', '2026-01-08T15:00:00Z', '2026-01-09T00:00:00Z'], // 23:00 → 08:00 next day
    ['Asia/Shanghai', '2026-01-07T22:00:00Z', '2026-01-08T00:00:00Z'], // 06:00 → 08:00 same day
    ['Asia/Shanghai', '2026-01-08T03:00:00Z', '2026-01-08T03:00:00Z'], // open already
    ['America/New_York', '2026-03-08T05:00:00Z', '2026-03-08T12:00:00Z'], // DST day: 00:00 EST → 08:00 EDT
  ])('in %s, a message at %s waits until %s', (tz, at, open) => {
    expect(nextWindowOpen({ from: '08:00', to: '22:00' }, tz, new Date(at)).toISOString()).toBe(new Date(open).toISOString());
  });
});

const person = (id: string, role: Staff['role'], over: Partial<Staff> = {}): Staff => ({
  id, name: id, role, team: 'service', slackUserId: null, feishuOpenId: null, email: `${id}@example.com`, phone: '+8613800000000', ...over,
});
const rules: ChannelRules = { email: { enabled: true, window: null }, sms: { enabled: true, window: { from: '08:00', to: '22:00' }, urgentIgnoresWindow: true }, feishuUrgent: true };
const night = new Date('2026-01-08T15:00:00Z'); // 23:00 in Shanghai

describe('who is told what', () => {
  it('level 1: a card mention and a DM per platform for each supervisor, no email or SMS', () => {
    const plan = planEscalation({ level: 1, severity: 'warning', team: 'service', recipients: [person('sup', 'supervisor')], platforms: ['slack', 'feishu'], rules, timezone: 'Asia/Shanghai', now: night });
    expect(plan.map((p) => `${p.channel}:${p.platform ?? ''}:${p.recipientId ?? ''}`)).toEqual(['card_mention::', 'chat_dm:slack:sup', 'chat_dm:feishu:sup']);
  });

  it('level 2 at night: DM, 加急 and email now, SMS held until 08:00', () => {
    const plan = planEscalation({ level: 2, severity: 'warning', team: 'service', recipients: [person('boss', 'manager', { feishuOpenId: 'ou_1' })], platforms: ['feishu'], rules, timezone: 'Asia/Shanghai', now: night });
    expect(plan.map((p) => p.channel)).toEqual(['chat_dm', 'feishu_urgent', 'email', 'sms']);
    expect(plan.find((p) => p.channel === 'email')?.notBefore).toBeUndefined();
    expect(plan.find((p) => p.channel === 'sms')?.notBefore?.toISOString()).toBe('2026-01-09T00:00:00.000Z');
  });

  it('a critical exception sends SMS at night too', () => {
    const plan = planEscalation({ level: 2, severity: 'critical', team: 'service', recipients: [person('boss', 'manager')], platforms: [], rules, timezone: 'Asia/Shanghai', now: night });
    expect(plan.find((p) => p.channel === 'sms')?.notBefore).toBeUndefined();
  });

  it('records what cannot be routed instead of dropping it', () => {
    const noContact = planEscalation({ level: 2, severity: 'warning', team: 'service', recipients: [person('boss', 'manager', { email: null, phone: null })], platforms: [], rules, timezone: 'Asia/Shanghai', now: night });
    expect(noContact.filter((p) => p.unrouted).map((p) => `${p.channel}: ${p.unrouted}`)).toEqual(['email: boss has no email', 'sms: boss has no phone']);
    const nobody = planEscalation({ level: 2, severity: 'warning', team: 'finance', recipients: [], platforms: ['slack'], rules, timezone: 'Asia/Shanghai', now: night });
    expect(nobody).toEqual([{ channel: 'chat_dm', recipientId: null, unrouted: 'no manager for team finance' }]);
  });
});
