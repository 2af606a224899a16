import { buildExceptionCard, type ExceptionCardInput } from '../../src/domain/cards/exception-card';
import { cardMessage, cardMetadata, layoutCard } from '../../src/integrations/slack/blocks/card-blocks';
import { addressErrors, fixAddressModal, noticeModal, parseAddressMeta, readAddress } from '../../src/integrations/slack/blocks/address-modal';
import { decodeButtonValue, encodeButtonValue } from '../../src/integrations/slack/blocks/button-value';
import { SLACK_LIMITS as L, blockTextLength } from '../../src/integrations/slack/blocks/limits';
import type { CardTexts } from '../../src/present/cards/card-texts';

const now = new Date('2026-01-08T12:30:00Z');
const opts = { locale: 'en' as const, timezone: 'Asia/Shanghai', now };

function input(over: Partial<ExceptionCardInput['exception']> = {}, order: Partial<ExceptionCardInput['order']> = {}, assignee: ExceptionCardInput['assignee'] = null): ExceptionCardInput {
  return {
    exception: {
      id: 42, type: 'vague_address', severity: 'warning', reasons: [{ key: 'reason.text', params: { text: 'address is only a landmark' } }], status: 'open', escalationLevel: 0, version: 3,
      claimedAt: null, resolvedAt: null, resolution: null,
      claimDueAt: new Date('2026-01-08T13:00:00Z'), resolveDueAt: new Date('2026-01-08T13:30:00Z'), ...over,
    },
    order: {
      source: 'generic', externalId: 'DY-1', channel: 'douyin', shop: 'home', createdAt: '2026-01-08T20:01:02+08:00', status: 'paid',
      buyer: { name: '王五', phone: '13812345678' }, address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' },
      items: [{ sku: 'LAMP-01', qty: 1, price: '599.00', name: 'Desk lamp' }], total: '599.00', paid: '599.00', currency: 'CNY',
      remark: '<!channel> <@U123> <https://evil.example|click> *bold*', presale: false, logistics: { intercepted: false }, tags: [], ...order,
    },
    assignee,
  };
}

type Block = Record<string, any>;

/** Every Block Kit limit of the platform reference (§1.8), checked on a rendered message. */
function expectWithinLimits(blocks: Block[]): void {
  expect(blocks.length).toBeLessThanOrEqual(L.blocksPerMessage);
  expect(blockTextLength(blocks)).toBeLessThanOrEqual(L.messageText);
  for (const b of blocks) {
    if (b.block_id) expect(b.block_id.length).toBeLessThanOrEqual(L.blockId);
    if (b.type === 'header') {
      expect(b.text.type).toBe('plain_text');
      expect(b.text.text.length).toBeLessThanOrEqual(L.header);
    }
    if (b.type === 'section') {
      if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(L.sectionText);
      if (b.fields) {
        expect(b.fields.length).toBeLessThanOrEqual(L.fieldsPerSection);
        for (const f of b.fields) {
          expect(f.text.length).toBeGreaterThan(0);
          expect(f.text.length).toBeLessThanOrEqual(L.field);
        }
      }
    }
    if (b.type === 'context') expect(b.elements.length).toBeLessThanOrEqual(L.contextElements);
    if (b.type === 'actions') {
      expect(b.elements.length).toBeLessThanOrEqual(L.actionsElements);
      for (const e of b.elements) {
        expect(e.text.text.length).toBeLessThanOrEqual(L.buttonText);
        expect(e.value.length).toBeLessThanOrEqual(L.buttonValue);
        expect(e.action_id.length).toBeLessThanOrEqual(L.actionId);
        if (e.confirm) {
          expect(e.confirm.title.text.length).toBeLessThanOrEqual(L.confirmTitle);
          expect(e.confirm.text.text.length).toBeLessThanOrEqual(L.confirmText);
          expect(e.confirm.confirm.text.length).toBeLessThanOrEqual(L.confirmButton);
          expect(e.confirm.deny.text.length).toBeLessThanOrEqual(L.confirmButton);
        }
      }
    }
  }
}

const fieldValue = (blocks: Block[], label: string): Block | undefined => {
  const fields = blocks.flatMap((b) => b.fields ?? []);
  const i = fields.findIndex((f: Block) => f.text === `*${label}*`);
  return i >= 0 ? fields[i + 1] : undefined;
};
const actions = (blocks: Block[]) => blocks.find((b) => b.type === 'actions')?.elements ?? [];

describe('Slack Block Kit: the exception card', () => {
  it('lays out header, status, a label/value table, context and buttons', () => {
    const msg = cardMessage(buildExceptionCard(input()), opts);
    const blocks = msg.blocks as Block[];
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'context', 'actions']);
    expect(blocks[0]!.text.text).toBe('🟠 Vague address · order DY-1');
    expect(blocks[1]!.text).toEqual({ type: 'mrkdwn', text: '🟡 Open' });
    expect(fieldValue(blocks, 'Phone')).toEqual({ type: 'plain_text', text: '138****5678', emoji: false });
    expect(fieldValue(blocks, 'Address')!.text).toBe('浙江省 杭州市 西湖区 小***');
    expect(blocks.find((b) => b.type === 'context')!.elements[0].text).toBe('Warning · #42 · v3');
    expect(msg.text).toBe('Warning: Vague address · order DY-1');
    expectWithinLimits(blocks);
  });

  it('renders a hostile remark inert: plain_text (no *bold*), control characters escaped', () => {
    const blocks = cardMessage(buildExceptionCard(input()), opts).blocks as Block[];
    expect(fieldValue(blocks, 'Buyer remark')).toEqual({
      type: 'plain_text',
      emoji: false,
      text: '&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|click&gt; *bold*',
    });
    expect(JSON.stringify(blocks)).not.toMatch(/<[!@#]|<https?:/);
  });

  it('puts the exception and version in every button; asks before escalating', () => {
    const blocks = cardMessage(buildExceptionCard(input()), opts).blocks as Block[];
    const els = actions(blocks);
    expect(els.map((e: Block) => e.action_id)).toEqual(['exception.claim', 'exception.fix_address', 'exception.escalate']);
    for (const e of els) expect(decodeButtonValue(e.value)).toEqual({ exceptionId: 42, version: 3 });
    expect(els[0].style).toBe('primary');
    expect(els[1].style).toBeUndefined();
    expect(els[2]).toMatchObject({ style: 'danger', confirm: { title: { text: 'Escalate this exception?' }, style: 'danger' } });
    expect(blocks.find((b) => b.type === 'actions')!.block_id).toBe('exception:42:v3');
  });

  it('shows the claimer as a Slack mention; Approve only on review; Resolve after a claim', () => {
    const claimed = buildExceptionCard(input({ type: 'review', status: 'claimed', claimedAt: new Date('2026-01-08T12:05:00Z') }, {}, { id: 'li', name: '李四', slackUserId: 'U01LISI', feishuOpenId: null }));
    const blocks = cardMessage(claimed, opts).blocks as Block[];
    expect(blocks[1]!.text.text).toBe('🔵 Claimed by <@U01LISI> at 20:05');
    expect(actions(blocks).map((e: Block) => e.action_id)).toEqual(['exception.approve', 'exception.escalate', 'exception.resolve']);
    const noSlack = buildExceptionCard(input({ status: 'claimed', claimedAt: now }, {}, { id: 'x', name: '<b>&Co', slackUserId: null, feishuOpenId: null }));
    expect((cardMessage(noSlack, opts).blocks[1] as Block).text.text).toContain('&lt;b&gt;&amp;Co');
  });

  it('a resolved card has no buttons', () => {
    const blocks = cardMessage(buildExceptionCard(input({ status: 'resolved', resolvedAt: now, resolution: 'fixed' }, {}, { id: 'li', name: '李四', slackUserId: 'U1X', feishuOpenId: null })), opts).blocks as Block[];
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(blocks[1]!.text.text).toContain('Resolved');
  });

  it('a maximum-size card (every field at its limit, all of it needing escapes) stays within every Block Kit limit', () => {
    const worst = buildExceptionCard(
      input(
        { type: 'review', reasons: [{ key: 'reason.text', params: { text: '<&>'.repeat(1000) } }], status: 'escalated', escalationLevel: 2, resolution: '&'.repeat(500) },
        {
          externalId: '<'.repeat(500),
          shop: '&'.repeat(500),
          channel: '>'.repeat(500),
          total: '99999999999.99',
          paid: '1.00',
          currency: '&&&',
          buyer: { name: '<'.repeat(100), phone: '+86 138 1234 5678' },
          address: { province: '<'.repeat(100), city: '>'.repeat(100), district: '&'.repeat(100), detail: '<'.repeat(500) },
          items: Array.from({ length: 40 }, (_, i) => ({ sku: `<${i}>`.repeat(40), qty: 999, price: '1', name: '&'.repeat(200) })),
          remark: '<!channel>'.repeat(1000),
          tags: Array.from({ length: 50 }, (_, i) => `<tag-${i}>`),
        },
        { id: 'boss', name: '&'.repeat(300), slackUserId: null, feishuOpenId: null },
      ),
    );
    const msg = cardMessage(worst, opts);
    const blocks = msg.blocks as Block[];
    expectWithinLimits(blocks);
    expect(msg.text.length).toBeLessThanOrEqual(L.fallbackText);
    const remark = fieldValue(blocks, 'Buyer remark')!.text as string;
    expect(remark.endsWith('…')).toBe(true);
    expect(remark).not.toMatch(/&[a-z]{0,3}…$/);
    expect(JSON.stringify(blocks)).not.toMatch(/<[!@#]|<https?:/);
  });

  it('shrinks the longest values when the whole card would exceed Slack\'s total text budget', () => {
    const texts: CardTexts = {
      title: 'T', severity: 'info', severityLabel: 'Info', status: 'Open', overdue: false, buttons: [],
      fields: Array.from({ length: 11 }, (_, i) => ({ key: i % 2 ? 'remark' : 'reason', label: `L${i}`, value: 'x'.repeat(5000) })),
    };
    const blocks = layoutCard(buildExceptionCard(input()), texts).blocks as Block[];
    expectWithinLimits(blocks);
  });

  it('renders a backlog card too: no buttons, the oldest orders escaped', () => {
    const card = {
      kind: 'backlog' as const, key: 'backlog:9', alertId: 9, version: 2, stage: 'pending', shop: '<shop>', team: 'service', status: 'open' as const,
      count: 12, peak: 12, thresholdMinutes: 30, oldestAt: '2026-01-08T11:00:00Z', openedAt: '2026-01-08T11:40:00Z', clearedAt: null,
      oldest: [{ source: 'generic', externalId: '<!here>', since: '2026-01-08T11:00:00Z' }],
    };
    const blocks = cardMessage(card, opts).blocks as Block[];
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(blocks)).toContain('&lt;!here&gt;');
    expect(JSON.stringify(blocks)).not.toMatch(/<[!@#]/);
    expect(blocks.find((b) => b.type === 'context')!.elements[0].text).toContain('#9 · v2');
    expectWithinLimits(blocks);
  });

  it('renders a storm digest: every listed line kept, escaped, the member count in the metadata', () => {
    const newest = Array.from({ length: 10 }, (_, i) => ({
      exceptionId: 100 + i, source: 'douyin', externalId: `DY20260108-${String(i).padStart(4, '0')}`, shop: '<!channel>', severity: 'warning' as const,
      status: 'open' as const, reasons: [{ key: 'reason.text', params: { text: '地址过于模糊：只有「小区门口」，缺少门牌号或楼栋单元' } }], at: '2026-01-08T12:00:00Z',
    }));
    const card = {
      kind: 'digest' as const, key: 'digest:4', alertId: 4, version: 12, team: 'service', type: 'vague_address', status: 'open' as const,
      members: 57, unresolved: 57, unclaimed: 50, released: 0, newest, openedAt: '2026-01-08T11:59:00Z', lastJoinedAt: '2026-01-08T12:00:00Z',
      clearedAt: null, releaseAfter: true,
    };
    const msg = cardMessage(card, opts);
    const blocks = msg.blocks as Block[];
    const text = JSON.stringify(blocks);
    for (const l of newest) expect(text).toContain(l.externalId);
    expect(text).not.toMatch(/<[!@#]/);
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(cardMetadata(card).event_payload).toMatchObject({ card_key: 'digest:4', alert_id: 4, members: 57, version: 12 });
    expectWithinLimits(blocks);
  });

  it('button values round-trip and refuse anything else', () => {
    expect(decodeButtonValue(encodeButtonValue({ exceptionId: 123456789, version: 17 }))).toEqual({ exceptionId: 123456789, version: 17 });
    for (const bad of ['', '1', '1:', ':1', '1:2:3', 'a:1', '1:-1', '1; DROP', null, undefined]) expect(decodeButtonValue(bad)).toBeUndefined();
  });
});

describe('Slack Block Kit: the Fix address form', () => {
  it('has one input per address field, keyed by block_id, and carries the card in private_metadata', () => {
    const view = fixAddressModal('zh-CN', { exceptionId: 7, version: 2, channel: 'C01' }, '🟠 地址模糊 · 订单 DY-1');
    expect(view.callback_id).toBe('exception.fix_address');
    expect(view.title.text.length).toBeLessThanOrEqual(L.modalTitle);
    expect(view.submit!.text.length).toBeLessThanOrEqual(L.modalButton);
    const inputs = view.blocks.filter((b) => b.type === 'input') as Block[];
    expect(inputs.map((b) => b.block_id)).toEqual(['province', 'city', 'district', 'detail']);
    expect(inputs.map((b) => b.optional)).toEqual([false, false, true, false]);
    expect(inputs[3]!.element.max_length).toBe(200);
    expect(parseAddressMeta(view.private_metadata)).toEqual({ exceptionId: 7, version: 2, channel: 'C01' });
    expect(view.private_metadata!.length).toBeLessThanOrEqual(L.privateMetadata);
  });

  it('reads the submitted values and maps field errors to block ids', () => {
    const values = { province: { value: { value: '浙江省' } }, city: { value: { value: null } }, detail: { value: { value: '文三路90号' } } };
    expect(readAddress(values as never)).toEqual({ province: '浙江省', city: '', district: '', detail: '文三路90号' });
    expect(addressErrors({ detail: [{ key: 'reason.text', params: { text: 'x'.repeat(1000) } }], city: [{ key: 'reason.form.required' }] }, 'en')).toEqual({ detail: `${'x'.repeat(299)}…`, city: 'required' });
    expect(addressErrors({ city: [{ key: 'reason.form.required' }] }, 'zh-CN')).toEqual({ city: '必填' });
    expect(parseAddressMeta('not json')).toBeUndefined();
    expect(parseAddressMeta('{"e":"1","v":2}')).toBeUndefined();
  });

  it('a notice modal has no inputs and no submit', () => {
    const view = noticeModal('en', 'This exception is already resolved.');
    expect(view.submit).toBeUndefined();
    expect(view.blocks).toHaveLength(1);
  });
});
