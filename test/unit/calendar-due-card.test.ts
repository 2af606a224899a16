import { buildExceptionCard, type ExceptionCardInput } from '../../src/domain/cards/exception-card';
import { exceptionCardTexts, type PlatformFormat } from '../../src/present/cards/card-texts';
import { formatDue } from '../../src/present/calendar/calendar-texts';

/** Due times on cards: in the team's zone, with the weekday, marked when counted in working time. */
const fmt: PlatformFormat = { escape: (s) => s, mention: (s) => s.name };

const input = (claim: string, resolve: string, slaClock: 'wall' | 'business', zone?: string): ExceptionCardInput => ({
  exception: {
    id: 1, type: 'vague_address', severity: 'warning', reasons: [], status: 'open', escalationLevel: 0, version: 1,
    claimedAt: null, resolvedAt: null, resolution: null, claimDueAt: new Date(claim), resolveDueAt: new Date(resolve), slaClock,
  },
  order: {
    source: 'generic', externalId: 'X-1', channel: 'douyin', shop: 'home', createdAt: '2026-09-30T23:50:00+08:00', status: 'paid',
    buyer: { name: '王五', phone: '13812345678' }, address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' },
    items: [{ sku: 'A', qty: 1, price: '1.00' }], total: '1.00', paid: '1.00', currency: 'CNY', remark: '', presale: false, logistics: { intercepted: false },
  },
  assignee: null,
  zone,
});

const due = (i: ExceptionCardInput, locale: 'zh-CN' | 'en', now: string) =>
  exceptionCardTexts(buildExceptionCard(i), { locale, timezone: 'Asia/Shanghai', now: new Date(now) }, fmt).fields.find((f) => f.key === 'due')!.value;

describe('due times on exception cards', () => {
  it.each([
    // 国庆 eve on a business clock: due the Thursday after the holiday, marked as working time.
    [input('2026-10-08T09:30:00+08:00', '2026-10-08T10:00:00+08:00', 'business'), 'zh-CN', '2026-09-30T23:50:00+08:00', '截止 10-08 周四 09:30 前认领 · 10-08 周四 10:00 前解决（工作时间）'],
    [input('2026-10-12T09:30:00+08:00', '2026-10-12T10:00:00+08:00', 'business'), 'zh-CN', '2026-10-09T23:50:00+08:00', '截止 周一 09:30 前认领 · 周一 10:00 前解决（工作时间）'],
    [input('2026-10-12T09:30:00+08:00', '2026-10-12T10:00:00+08:00', 'business'), 'en', '2026-10-09T23:50:00+08:00', 'claim by Mon 09:30 · resolve by Mon 10:00 (working time)'],
    [input('2026-03-16T10:00:00+08:00', '2026-03-16T10:30:00+08:00', 'wall'), 'zh-CN', '2026-03-16T09:30:00+08:00', '截止 10:00 前认领 · 10:30 前解决'],
    // A team in New York sees its own local time, not Shanghai's.
    [input('2026-03-09T13:30:00Z', '2026-03-09T14:00:00Z', 'business', 'America/New_York'), 'en', '2026-03-06T21:30:00Z', 'claim by Mon 09:30 · resolve by Mon 10:00 (working time)'],
  ] as const)('%#: %s', (i, locale, now, text) => {
    expect(due(i, locale, now)).toBe(text);
  });

  it('formats today, this week and later', () => {
    const now = new Date('2026-03-16T10:00:00+08:00'); // a Monday
    expect(formatDue('2026-03-16T18:00:00+08:00', 'Asia/Shanghai', 'zh-CN', now)).toBe('18:00');
    expect(formatDue('2026-03-22T09:00:00+08:00', 'Asia/Shanghai', 'zh-CN', now)).toBe('周日 09:00');
    expect(formatDue('2026-03-23T09:00:00+08:00', 'Asia/Shanghai', 'zh-CN', now)).toBe('03-23 周一 09:00');
    expect(formatDue('2026-03-15T09:00:00+08:00', 'Asia/Shanghai', 'en', now)).toBe('03-15 Sun 09:00');
  });
});
