import { cardTexts, exceptionCardTexts } from '../../src/present/cards/card-texts';
import type { BacklogCard } from '../../src/domain/cards/backlog-card';
import type { DigestCard } from '../../src/domain/cards/digest-card';
import { renderFeishuCard, FORM_NAME, FORM_SUBMIT_NAME } from '../../src/integrations/feishu/feishu-card';
import { escapeFeishu, feishuFormat, mentionFeishu, unescapeFeishu } from '../../src/integrations/feishu/feishu-format';
import { buildExceptionCard, type ExceptionCardInput } from '../../src/domain/cards/exception-card';

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
      buyer: { name: '王五', phone: '13812345678' }, address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号小区门口' },
      items: [{ sku: 'LAMP-01', qty: 1, price: '599.00', name: '智能台灯' }], total: '599.00', paid: '599.00', currency: 'CNY',
      remark: '急 <at id=all></at> [点我](https://evil.example/x) **粗** &#60;at id=all&#62;', presale: false, logistics: { intercepted: false }, tags: ['urgent'], ...order,
    },
    assignee,
  };
}

const render = (i: ExceptionCardInput, locale: 'zh-CN' | 'en' = 'zh-CN', form?: Parameters<typeof renderFeishuCard>[2]['form']) => {
  const card = buildExceptionCard(i);
  return renderFeishuCard(card, exceptionCardTexts(card, { locale, timezone: 'Asia/Shanghai', now }, feishuFormat), { locale, form });
};
const elementsOf = (c: any): any[] => c.body.elements;
const buttonsOf = (c: any): any[] => (elementsOf(c).find((e) => e.tag === 'column_set')?.columns ?? []).map((col: any) => col.elements[0]);

describe('escapeFeishu', () => {
  it.each([
    ['<at id=all></at>', '&#60;at id=all&#62;&#60;/at&#62;'],
    ['<at id=ou_1></at>', '&#60;at id=ou&#95;1&#62;&#60;/at&#62;'],
    ['&#60;at id=all&#62;', '&#38;&#35;60;at id=all&#38;&#35;62;'],
    ["<font color='red'>x</font>", "&#60;font color='red'&#62;x&#60;/font&#62;"],
    ['[点我](https://evil.example)', '&#91;点我&#93;&#40;https\u200b://evil.example&#41;'],
    ['**bold** _i_ ~~s~~ `c`', '&#42;&#42;bold&#42;&#42; &#95;i&#95; &#126;&#126;s&#126;&#126; &#96;c&#96;'],
    ['see www.evil.example', 'see www\u200b.evil.example'],
    ['line1\n# heading\r\n> quote', 'line1 &#35; heading &#62; quote'],
    ['普通备注：10号前送达', '普通备注：10号前送达'],
  ])('%j → %j', (input, expected) => {
    expect(escapeFeishu(input)).toBe(expected);
  });

  it('leaves no tag, link or entity that could decode into one', () => {
    const hostile = '<at id=all></at>&lt;at&gt;[x](http://a.b)<link url="http://a.b">x</link>&#60;';
    const out = escapeFeishu(hostile);
    expect(out).not.toMatch(/[<>[\]()]/);
    expect(out).not.toMatch(/&(?!#\d+;)/); // every & starts one of our entities
    expect(out).not.toMatch(/[a-z]:\/\//i); // no scheme:// left for auto-linking
    expect(unescapeFeishu(out).replace(/\u200b/g, '')).toBe(hostile);
  });

  it('mentions staff by a valid open_id only, else writes their escaped name', () => {
    expect(mentionFeishu({ id: 'a', name: '张三', slackUserId: null, feishuOpenId: 'ou_abc' })).toBe('<at id=ou_abc></at>');
    expect(mentionFeishu({ id: 'a', name: '<b>张三', slackUserId: null, feishuOpenId: 'ou_x></at><at id=all' })).toBe('&#60;b&#62;张三');
    expect(mentionFeishu({ id: 'a', name: '李四', slackUserId: 'U1', feishuOpenId: null })).toBe('李四');
  });
});

describe('renderFeishuCard (card JSON 2.0)', () => {
  it('declares schema 2.0 and update_multi, colours the header by severity, and title is plain text', () => {
    const c: any = render(input());
    expect(c.schema).toBe('2.0');
    expect(c.config.update_multi).toBe(true);
    expect(c.header.template).toBe('orange');
    expect(c.header.title).toEqual({ tag: 'plain_text', content: '地址模糊 · 订单 DY-1' });
    expect(render(input({ severity: 'critical' })).header).toMatchObject({ template: 'red' });
    expect(render(input({ severity: 'info' })).header).toMatchObject({ template: 'blue' });
    expect(render(input({ status: 'resolved', resolvedAt: now })).header).toMatchObject({ template: 'green' });
  });

  it('masks personal data and escapes the remark: no mention, link or styling reaches markdown', () => {
    const c: any = render(input());
    const text = JSON.stringify(c);
    expect(text).not.toContain('13812345678');
    expect(text).not.toContain('文三路90号');
    expect(unescapeFeishu(text)).toContain('138****5678');
    const md = elementsOf(c).filter((e) => e.tag === 'markdown').map((e) => e.content).join('\n');
    expect(md).not.toMatch(/<at /);
    expect(md).not.toMatch(/\]\(/);
    expect(md).not.toContain('https://');
    expect(md).toContain('&#60;at id=all&#62;&#60;/at&#62;');
    expect(md).toContain('**买家备注**：急 &#60;at id=all');
    expect(md).toContain('**电话**：138&#42;&#42;&#42;&#42;5678');
  });

  it('shows the status line and who claimed it with a real mention', () => {
    const c: any = render(
      input({ status: 'claimed', claimedAt: new Date('2026-01-08T12:05:00Z') }, {}, { id: 'z', name: '张三', slackUserId: null, feishuOpenId: 'ou_zhang' }),
      'en',
    );
    expect(elementsOf(c)[0]).toEqual({ tag: 'markdown', content: '🔵 Claimed by <at id=ou_zhang></at> at 20:05' });
  });

  it('has buttons whose values are objects naming exception, version and action', () => {
    const c: any = render(input());
    const buttons = buttonsOf(c);
    expect(buttons.map((b) => b.text.content)).toEqual(['认领', '修改地址', '升级']);
    expect(buttons[0].behaviors).toEqual([{ type: 'callback', value: { orderops: 'exception', action: 'exception.claim', exception_id: 7, version: 3 } }]);
    expect(buttons[1].behaviors[0].value).toMatchObject({ action: 'exception.fix_address', step: 'open' });
    expect(buttons[2].confirm).toEqual({ title: { tag: 'plain_text', content: '升级这个异常？' }, text: { tag: 'plain_text', content: '将私信通知该组主管和经理。' } });
    const review: any = render(input({ type: 'review' }, { address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号' } }));
    expect(buttonsOf(review).map((b) => b.behaviors[0].value.action)).toEqual(['exception.claim', 'exception.approve', 'exception.escalate']);
    const claimed: any = render(input({ status: 'claimed', claimedAt: now }, {}, { id: 'z', name: '张三', slackUserId: null, feishuOpenId: 'ou_zhang' }));
    expect(buttonsOf(claimed).map((b) => b.behaviors[0].value.action)).toEqual(['exception.fix_address', 'exception.escalate', 'exception.resolve']);
    expect(elementsOf(render(input({ status: 'resolved', resolvedAt: now }))).some((e) => e.tag === 'column_set')).toBe(false);
  });

  it('lays out the Fix address form: a form container with inputs and a submit button', () => {
    const c: any = render(input(), 'zh-CN', { errors: { city: [{ key: 'reason.division.city_not_in_province', params: { city: '杭州省 <at id=all></at>', province: '浙江省' } }] }, values: { province: '浙江省', city: '杭州省', detail: '文三路90号3幢' } });
    const form = elementsOf(c).find((e) => e.tag === 'form');
    expect(form.name).toBe(FORM_NAME);
    const inputs = form.elements.filter((e: any) => e.tag === 'input');
    expect(inputs.map((i: any) => i.name)).toEqual(['province', 'city', 'district', 'detail']);
    expect(inputs.map((i: any) => i.required)).toEqual([true, true, false, true]);
    expect(inputs[0].default_value).toBe('浙江省');
    expect(inputs[3].default_value).toBeUndefined(); // street detail is not echoed into a shared card
    const err = form.elements.find((e: any) => e.tag === 'markdown' && e.content.includes('font'));
    expect(err.content).toBe("<font color='red'>杭州省 &#60;at id=all&#62;&#60;/at&#62;不属于浙江省</font>");
    const submit = form.elements.find((e: any) => e.tag === 'button');
    expect(submit).toMatchObject({ name: FORM_SUBMIT_NAME, form_action_type: 'submit' });
    expect(submit.behaviors[0].value).toEqual({ orderops: 'exception', action: 'exception.fix_address', exception_id: 7, version: 3, step: 'submit' });
    // The row's Fix address button closes the form while it is open.
    expect(buttonsOf(c)[1].behaviors[0].value.step).toBe('close');
    expect(buttonsOf(c)[1].text.content).toBe('取消');
  });

  it('stays well under the 30 KB card limit with the longest remark and item list', () => {
    const items = Array.from({ length: 40 }, (_, i) => ({ sku: `SKU-${'x'.repeat(60)}-${i}`, qty: 1, name: '长'.repeat(60) }));
    const c = render(input({}, { remark: '<at id=all></at>'.repeat(200), items }), 'zh-CN', { errors: { detail: [{ key: 'reason.text', params: { text: 'x'.repeat(200) } }] } });
    expect(Buffer.byteLength(JSON.stringify(c))).toBeLessThan(30 * 1024);
  });

  it('lays out a backlog card too: no buttons, green once cleared, order ids escaped', () => {
    const backlog: BacklogCard = {
      kind: 'backlog', key: 'backlog:1', alertId: 1, version: 2, stage: 'pending', shop: 'home_<at id=all></at>', team: 'review', status: 'open',
      count: 12, peak: 12, thresholdMinutes: 30, oldestAt: '2026-01-08T11:00:00Z', openedAt: '2026-01-08T11:45:00Z', clearedAt: null,
      oldest: [{ source: 'generic', externalId: 'DY_1', since: '2026-01-08T11:00:00Z' }],
    };
    const texts = cardTexts(backlog, { locale: 'zh-CN', timezone: 'Asia/Shanghai', now }, feishuFormat);
    const c: any = renderFeishuCard(backlog, texts, { locale: 'zh-CN' });
    expect(c.schema).toBe('2.0');
    expect(c.config.update_multi).toBe(true);
    expect(c.header.template).toBe('orange');
    expect(elementsOf(c).some((e) => e.tag === 'column_set')).toBe(false);
    expect(JSON.stringify(elementsOf(c))).not.toContain('<at id=all>');
    const cleared = { ...backlog, status: 'cleared' as const, clearedAt: '2026-01-08T12:20:00Z' };
    expect((renderFeishuCard(cleared, cardTexts(cleared, { locale: 'zh-CN', timezone: 'Asia/Shanghai', now }, feishuFormat), { locale: 'zh-CN' }) as any).header.template).toBe('green');
  });

  it('lays out a storm digest: orange while the storm goes on or members wait, green only when none is left', () => {
    const digest: DigestCard = {
      kind: 'digest', key: 'digest:3', alertId: 3, version: 5, team: 'service', type: 'vague_address', status: 'open', members: 40, unresolved: 38,
      unclaimed: 35, released: 0, openedAt: '2026-01-08T11:45:00Z', lastJoinedAt: '2026-01-08T11:50:00Z', clearedAt: null, releaseAfter: true,
      newest: [{ exceptionId: 9, source: 'douyin', externalId: 'DY_<at id=all></at>', shop: 'home', severity: 'warning', status: 'open', reasons: [{ key: 'reason.text', params: { text: '小区门口' } }], at: '2026-01-08T11:50:00Z' }],
    };
    const render = (d: DigestCard) => renderFeishuCard(d, cardTexts(d, { locale: 'zh-CN', timezone: 'Asia/Shanghai', now }, feishuFormat), { locale: 'zh-CN' }) as any;
    const c = render(digest);
    expect(c.header.template).toBe('orange');
    expect(JSON.stringify(elementsOf(c))).not.toContain('<at id=all>');
    expect(JSON.stringify(elementsOf(c))).toContain('40');
    const over = { ...digest, status: 'cleared' as const, clearedAt: '2026-01-08T11:55:00Z' };
    expect(render(over).header.template).toBe('orange'); // 38 still without a card of their own
    expect(render({ ...over, released: 38 }).header.template).toBe('green');
  });
});
