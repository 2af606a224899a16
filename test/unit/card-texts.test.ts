import { buildExceptionCard, type ExceptionCardInput } from '../../src/domain/cards/exception-card';
import { exceptionCardTexts, type PlatformFormat } from '../../src/present/cards/card-texts';

const fmt: PlatformFormat = {
  escape: (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  mention: (s) => (s.slackUserId ? `<@${s.slackUserId}>` : s.name),
};
const now = new Date('2026-01-08T12:30:00Z');

function input(over: Partial<ExceptionCardInput['exception']> = {}, order: Partial<ExceptionCardInput['order']> = {}, assignee: ExceptionCardInput['assignee'] = null): ExceptionCardInput {
  return {
    exception: {
      id: 7, type: 'vague_address', severity: 'warning', reasons: [{ key: 'reason.vague_address.landmark', params: { landmark: '小区门口' } }], status: 'open', escalationLevel: 0, version: 3,
      claimedAt: null, resolvedAt: null, resolution: null,
      claimDueAt: new Date('2026-01-08T13:00:00Z'), resolveDueAt: new Date('2026-01-08T13:30:00Z'), ...over,
    },
    order: {
      source: 'generic', externalId: 'DY-1', channel: 'douyin', shop: 'home', createdAt: '2026-01-08T20:01:02+08:00', status: 'paid',
      buyer: { name: '王五', phone: '13812345678' }, address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' },
      items: [{ sku: 'LAMP-01', qty: 1, price: '599.00', name: '智能台灯' }], total: '599.00', paid: '599.00', currency: 'CNY',
      remark: '<!channel> 急 <https://evil.example|点我>', presale: false, logistics: { intercepted: false }, tags: ['urgent'], ...order,
    },
    assignee,
  };
}

describe('exception card texts', () => {
  it('masks personal data and escapes every untrusted value', () => {
    const texts = exceptionCardTexts(buildExceptionCard(input()), { locale: 'zh-CN', timezone: 'Asia/Shanghai', now }, fmt);
    const byKey = Object.fromEntries(texts.fields.map((f) => [f.key, f.value]));
    expect(byKey.phone).toBe('138****5678');
    expect(byKey.buyer).toBe('王*');
    expect(byKey.address).toBe('浙江省 杭州市 西湖区 小***');
    expect(byKey.remark).toBe('&lt;!channel&gt; 急 &lt;https://evil.example|点我&gt;');
    expect(JSON.stringify(texts)).not.toContain('13812345678');
    expect(texts.title).toBe('地址模糊 · 订单 DY-1');
    expect(texts.status).toBe('🟡 待认领');
    expect(byKey.due).toBe('截止 21:00 前认领 · 21:30 前解决');
    expect(texts.buttons.map((b) => b.action)).toEqual(['exception.claim', 'exception.fix_address', 'exception.escalate']);
    expect(texts.buttons.find((b) => b.action === 'exception.escalate')?.confirm).toBeDefined();
  });

  it('shows who claimed and when, with a platform mention', () => {
    const card = buildExceptionCard(
      input({ status: 'claimed', claimedAt: new Date('2026-01-08T12:05:00Z') }, {}, { id: 'li', name: '李四', slackUserId: 'U123', feishuOpenId: null }),
    );
    const texts = exceptionCardTexts(card, { locale: 'en', timezone: 'Asia/Shanghai', now }, fmt);
    expect(texts.status).toBe('🔵 Claimed by <@U123> at 20:05');
    expect(texts.buttons.map((b) => b.action)).toEqual(['exception.fix_address', 'exception.escalate', 'exception.resolve']);
  });

  it('marks an open card past its claim deadline as overdue', () => {
    const texts = exceptionCardTexts(buildExceptionCard(input()), { locale: 'en', timezone: 'Asia/Shanghai', now: new Date('2026-01-08T13:01:00Z') }, fmt);
    expect(texts.overdue).toBe(true);
    expect(texts.status).toContain('Past its claim deadline');
  });

  it('shows a partial payment and caps long item lists and remarks', () => {
    const items = Array.from({ length: 14 }, (_, i) => ({ sku: `SKU-${i}`, qty: 1 }));
    const card = buildExceptionCard(input({ type: 'payment' }, { paid: '100.00', items, remark: '急'.repeat(2000) }));
    const texts = exceptionCardTexts(card, { locale: 'en', timezone: 'Asia/Shanghai', now }, fmt);
    const byKey: Record<string, string> = Object.fromEntries(texts.fields.map((f) => [f.key, f.value]));
    expect(byKey.amount).toBe('599.00 CNY (paid 100.00)');
    expect(byKey.items!.split('\n')).toHaveLength(11);
    expect(byKey.items).toContain('and 4 more');
    expect([...byKey.remark!].length).toBe(500);
    expect(byKey.remark!.endsWith('…')).toBe(true);
  });

  it('lists no buttons on a resolved card', () => {
    const card = buildExceptionCard(input({ status: 'resolved', resolvedAt: now, resolution: 'address fixed by 李四' }, {}, { id: 'li', name: '李四', slackUserId: null, feishuOpenId: null }));
    const texts = exceptionCardTexts(card, { locale: 'zh-CN', timezone: 'Asia/Shanghai', now }, fmt);
    expect(texts.buttons).toEqual([]);
    expect(texts.status).toBe('✅ 已解决 20:30 · address fixed by 李四');
  });

  it('says on the card who was notified and what could not be routed', () => {
    const base = input({ status: 'escalated', escalationLevel: 2 });
    const card = buildExceptionCard({
      ...base,
      notifications: [
        { recipient: '主管甲', channel: 'slack_chat_dm', status: 'sent', detail: null },
        { recipient: '经理乙', channel: 'email', status: 'sent', detail: null },
        { recipient: '经理乙', channel: 'sms', status: 'unrouted', detail: '经理乙 has no phone' },
        { recipient: null, channel: 'card_mention', status: 'skipped', detail: 'no card' },
      ],
    });
    const texts = exceptionCardTexts(card, { locale: 'en', timezone: 'Asia/Shanghai', now }, fmt);
    const field = texts.fields.find((f) => f.key === 'escalation');
    expect(field?.value).toBe('Notified: 主管甲 (DM); 经理乙 (email)\n⚠ Could not notify: sms: 经理乙 has no phone');
    expect(texts.status).toBe('🔴 Escalated (level 2)');
  });
});
