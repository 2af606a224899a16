import { buildExceptionCard, type ExceptionCard } from '../../src/domain/cards/exception-card';
import { classify } from '../../src/domain/orders/classify';
import { checkDivisions } from '../../src/domain/orders/divisions';
import { DEFAULT_RULES } from '../../src/domain/orders/default-rules';
import type { Address, Order } from '../../src/domain/orders/order';
import type { ClassifyContext } from '../../src/domain/orders/rules-types';
import { messageTexts, type MessageRef } from '../../src/domain/message';
import { cardTexts, type PlatformFormat } from '../../src/present/cards/card-texts';
import { MESSAGE_KEYS, type Locale } from '../../src/present/i18n';
import { renderReasons } from '../../src/present/i18n/message';
import { slackFormat } from '../../src/integrations/slack/mrkdwn';
import { cardMessage } from '../../src/integrations/slack/blocks/card-blocks';
import { feishuFormat } from '../../src/integrations/feishu/feishu-format';
import { renderFeishuCard } from '../../src/integrations/feishu/feishu-card';
import { htmlFormat } from '../../src/bot/local/html-format';

const NOW = '2026-01-09T10:00:00+08:00';
const HAN = /\p{Script=Han}/u;

type Patch = Omit<Partial<Order>, 'address' | 'logistics'> & { address?: Partial<Address>; logistics?: Partial<Order['logistics']> };

/** A clean order whose buyer-visible text is ASCII, so any Han left on an English card came from us. */
function order(p: Patch = {}): Order {
  const { address, logistics, ...rest } = p;
  return {
    source: 'generic', externalId: 'DY-1', channel: 'douyin', shop: 'home', createdAt: '2026-01-08T20:01:02+08:00', status: 'paid',
    buyer: { name: 'Wang Wu', phone: '13812345678' },
    address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: 'No. 90 Wensan Road, Room 501', ...address },
    items: [{ sku: 'LAMP-01', qty: 1, price: '599.00', name: 'Desk lamp' }], total: '599.00', paid: '599.00', currency: 'CNY',
    presale: false, logistics: { intercepted: false, ...logistics }, ...rest,
  };
}

/** One order per reason the rule engine can give (every `reason.*` key of the rules catalogue). */
const CASES: [string, Patch, Partial<ClassifyContext>?][] = [
  ['missing fields', { address: { province: '', detail: '' } }],
  ['short detail', { address: { detail: '5号' } }],
  ['relative place', { address: { detail: '文三路90号附近' } }],
  ['bare landmark', { address: { detail: '幸福小区门口' } }],
  ['no house number', { address: { detail: '西湖文化广场' } }],
  ['unknown province', { address: { province: '火星省' } }],
  ['city of another province', { address: { city: '广州市', district: '天河区' } }],
  ['missing district', { address: { district: undefined } }],
  ['district of another city', { address: { district: '朝阳区' } }],
  ['payment failed', { status: 'payment_failed', paid: '0' }],
  ['partly paid', { paid: '300.00' }],
  ['presale balance overdue', { presale: true, status: 'partially_paid', paid: '100.00', balanceDueAt: '2026-01-08T23:59:59+08:00' }],
  ['buyer remark', { remark: '急！要发票，放门卫代收，地址写错了' }],
  ['seller remark', { sellerRemark: '客户要开专票' }],
  ['intercepted', { logistics: { intercepted: true } }],
  ['intercepted parcel', { logistics: { intercepted: true, carrier: 'SF', trackingNo: 'SF123' } }],
  ['out of stock', { items: [{ sku: 'LAMP-01', qty: 2, name: 'Desk lamp' }, { sku: 'BULB-9', qty: 5, name: 'Bulb' }] }, { stock: new Map([['LAMP-01', 1], ['BULB-9', 0]]) }],
  ['large order', { total: '5000.00', paid: '5000.00' }],
  ['review region', { address: { province: '新疆维吾尔自治区', city: '乌鲁木齐市', district: '天山区' } }],
];

/** Keys that are not reasons of their own: separators, the old-text fallback, list items, form errors. */
const NOT_RULE_REASONS = /^reason\.(separator|text|address_field\.|stock\.line|form\.)/;

function detected(patch: Patch, ctx: Partial<ClassifyContext> = {}) {
  return classify(order(patch), DEFAULT_RULES, { now: NOW, ...ctx }).exceptions;
}

function card(patch: Patch, type: string, reasons: MessageRef[], status: 'open' | 'escalated' = 'open'): ExceptionCard {
  return buildExceptionCard({
    exception: {
      id: 7, type, severity: 'warning', reasons, status, escalationLevel: status === 'escalated' ? 2 : 0, version: 1,
      claimedAt: null, resolvedAt: null, resolution: null,
      claimDueAt: new Date('2026-01-09T02:30:00Z'), resolveDueAt: new Date('2026-01-09T03:00:00Z'),
    },
    order: { ...order(patch), tags: ['vip', 'urgent'] },
    assignee: null,
    notifications: status === 'escalated'
      ? [
        { recipient: 'Supervisor A', channel: 'feishu_chat_dm', status: 'sent', detail: null },
        { recipient: 'Supervisor A', channel: 'feishu_feishu_urgent', status: 'sent', detail: null },
        { recipient: 'Manager B', channel: 'email', status: 'sent', detail: null },
      ]
      : [],
  });
}

/** What the buyer, the platform or the config put on the card: the only place Han may appear in English. */
function buyerTexts(c: ExceptionCard): string[] {
  const o = c.order;
  return [o.address, o.remark, o.buyer, o.shop, o.channel, ...o.items.map((i) => i.name), ...c.reasons.flatMap(messageTexts)].filter(Boolean);
}

function withoutBuyerText(rendered: string, texts: string[], escapes: ((s: string) => string)[]): string {
  let out = rendered;
  // Longest first, so a keyword inside a longer buyer text does not leave half of it behind.
  for (const s of [...texts].sort((a, b) => b.length - a.length)) {
    for (const esc of escapes) out = out.split(esc(s)).join('');
  }
  return out;
}

const opts = (locale: Locale) => ({ locale, timezone: 'Asia/Shanghai', now: new Date('2026-01-09T02:00:00Z') });
const json = (s: string) => JSON.stringify(s).slice(1, -1);

describe('exception reasons are message keys rendered per locale', () => {
  it('covers every reason key of the catalogue with a case below', () => {
    const raised = new Set(CASES.flatMap(([, patch, ctx]) => detected(patch, ctx).flatMap((e) => e.reasons.map((r) => r.key))));
    // The rule checks divisions only with a province and a city; the check itself also says which is missing.
    for (const a of [{ province: '' }, { province: '浙江省', city: '' }]) {
      const r = checkDivisions(a);
      if (!r.ok) raised.add(r.detail.key);
    }
    const catalogued = MESSAGE_KEYS.en.filter((k) => k.startsWith('reason.') && !NOT_RULE_REASONS.test(k));
    expect(catalogued.length).toBeGreaterThan(20);
    expect([...raised].sort()).toEqual(expect.arrayContaining(catalogued.sort()));
  });

  const rows = CASES.flatMap(([name, patch, ctx]) => detected(patch, ctx).map((e) => [`${name}: ${e.type}`, patch, e.type, e.reasons] as const));

  it.each(rows)('%s — no Han on the English card, on every front, except buyer text', (_name, patch, type, reasons) => {
    expect(reasons.length).toBeGreaterThan(0);
    for (const status of ['open', 'escalated'] as const) {
      const c = card(patch, type, reasons, status);
      const buyer = buyerTexts(c);
      const fronts: [string, string, ((s: string) => string)[]][] = [
        ['texts', JSON.stringify(cardTexts(c, opts('en'), htmlFormat)), [(s) => json(htmlFormat.escape(s))]],
        ['slack', JSON.stringify(cardMessage(c, opts('en'))), [(s) => json(slackFormat.escape(s))]],
        ['feishu', JSON.stringify(renderFeishuCard(c, cardTexts(c, opts('en'), feishuFormat), opts('en'))), [(s) => json(feishuFormat.escape(s)), json]],
      ];
      for (const [front, rendered, escapes] of fronts) {
        const left = withoutBuyerText(rendered, buyer, escapes);
        expect({ front, han: left.match(new RegExp(HAN.source, 'gu'))?.join('') ?? '' }).toEqual({ front, han: '' });
      }
    }
  });

  /** The platform signals' reasons (domain/signals) by the exception type they raise. */
  const SIGNAL_TYPES: Record<string, string> = {
    'signal.reason.ship_warning': 'ship_overdue', 'signal.reason.ship_breach': 'ship_overdue',
    'signal.reason.refund_hold': 'refund_pending', 'signal.reason.refund_intercept': 'refund_pending',
    'signal.reason.pickup_overdue': 'pickup_overdue', 'signal.reason.tracking_stalled': 'tracking_stalled',
    'signal.reason.refused': 'delivery_refused', 'signal.reason.returned': 'delivery_refused',
  };
  const SIGNAL_PARAMS = { shipBy: '01-09 18:00', estimated: true, status: 'WAIT_SELLER_AGREE', hours: 24, since: '01-09 10:00' };

  it('knows the exception type of every signal reason in the catalogue', () => {
    expect(MESSAGE_KEYS.en.filter((k) => k.startsWith('signal.reason.')).sort()).toEqual(Object.keys(SIGNAL_TYPES).sort());
  });

  it.each(Object.entries(SIGNAL_TYPES))('%s (%s) — no Han on the English card, on every front', (key, type) => {
    const c = card({}, type, [{ key, params: SIGNAL_PARAMS }], 'escalated');
    const buyer = buyerTexts(c);
    for (const rendered of [JSON.stringify(cardMessage(c, opts('en'))), JSON.stringify(renderFeishuCard(c, cardTexts(c, opts('en'), feishuFormat), opts('en')))]) {
      expect(withoutBuyerText(rendered, buyer, [(s) => json(slackFormat.escape(s)), (s) => json(feishuFormat.escape(s)), json]).match(new RegExp(HAN.source, 'gu'))).toBeNull();
    }
    expect(renderReasons('zh-CN', c.reasons)).toMatch(HAN);
  });

  it.each(rows)('%s — rendered in both locales from the catalogue, no key or placeholder left', (_name, _patch, _type, reasons) => {
    const en = renderReasons('en', reasons);
    const zh = renderReasons('zh-CN', reasons);
    for (const text of [en, zh]) {
      expect(text).not.toMatch(/\{\{|reason\./);
      for (const p of reasons.flatMap(messageTexts)) expect(text).toContain(p);
    }
    expect(en).not.toBe(zh);
  });

  it('renders a stored reason text of an old row as it is, in either locale', () => {
    const old = [{ key: 'reason.text', params: { text: '地址仅有地标"小区门口"，无门牌号' } }];
    expect(renderReasons('en', old)).toBe('地址仅有地标"小区门口"，无门牌号');
    expect(renderReasons('zh-CN', old)).toBe('地址仅有地标"小区门口"，无门牌号');
  });

  it('escapes buyer text inside a reason for each front, and joins several reasons per locale', () => {
    const reasons = detected({ address: { city: '广州市', district: '天河区', detail: '<!channel>小区门口' } })[0]!.reasons;
    expect(renderReasons('en', reasons, slackFormat.escape)).toBe('address names only a landmark "小区门口", no house number; 广州市 is not in 浙江省');
    expect(renderReasons('zh-CN', reasons)).toBe('地址仅有地标"小区门口"，无门牌号；广州市不属于浙江省');
    const hostile = [{ key: 'reason.remark.buyer', params: { keyword: '<!channel>' } }];
    expect(renderReasons('en', hostile, slackFormat.escape)).toBe('buyer remark contains "&lt;!channel&gt;"');
  });

  it('names the missing fields and the short stock in the locale\'s own words', () => {
    const [missing] = detected({ address: { province: '', detail: '' } });
    expect(renderReasons('en', missing!.reasons)).toBe('address lacks province, street address');
    expect(renderReasons('zh-CN', missing!.reasons)).toBe('地址缺少省份、详细地址');
    const [stock] = detected({ items: [{ sku: 'A', qty: 2 }, { sku: 'B', qty: 5 }] }, { stock: new Map([['A', 1], ['B', 0]]) });
    expect(renderReasons('en', stock!.reasons)).toBe('not enough stock: A (needs 2, 1 available), B (needs 5, 0 available)');
    expect(renderReasons('zh-CN', stock!.reasons)).toBe('库存不足：A（需2，可用1）、B（需5，可用0）');
  });
});
