import { classify } from '../../src/domain/orders/classify';
import { DEFAULT_RULES } from '../../src/domain/orders/default-rules';
import type { Address, Order, OrderStatus } from '../../src/domain/orders/order';
import type { Classification, ClassifyContext, DetectedException, RulesConfig } from '../../src/domain/orders/rules-types';
import { renderMessage, renderReasons } from '../../src/present/i18n/message';
import { MESSAGE_KEYS } from '../../src/present/i18n';

const NOW = '2026-01-09T10:00:00+08:00';
const ctx: ClassifyContext = { now: NOW };

type Patch = Omit<Partial<Order>, 'address' | 'buyer' | 'logistics'> & {
  address?: Partial<Address>;
  buyer?: Partial<Order['buyer']>;
  logistics?: Partial<Order['logistics']>;
};

/** The generic-format example from PRODUCT.md, minus its remark: a clean order. */
function order(p: Patch = {}): Order {
  const { address, buyer, logistics, ...rest } = p;
  return {
    source: 'generic',
    externalId: 'DY20260108-0001',
    channel: 'douyin',
    createdAt: '2026-01-08T20:01:02+08:00',
    status: 'paid',
    buyer: { name: '王五', phone: '13812345678', vip: false, ...buyer },
    address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号3幢501室', ...address },
    items: [{ sku: 'LAMP-01', qty: 1, price: '599.00' }],
    total: '599.00',
    paid: '599.00',
    currency: 'CNY',
    presale: false,
    logistics: { intercepted: false, ...logistics },
    ...rest,
  };
}

const run = (p: Patch, c: ClassifyContext = ctx, rules: RulesConfig = DEFAULT_RULES) => classify(order(p), rules, c);
const types = (c: Classification) => c.exceptions.map((e) => e.type);
/** The reasons as the Chinese card shows them (the rule engine itself returns message keys). */
const reasonOf = (e: DetectedException | undefined): string | undefined => (e ? renderReasons('zh-CN', e.reasons) : undefined);

describe('classify: the source article\'s exception examples', () => {
  it.each<[string, Patch, ClassifyContext, string, string, string]>([
    ['地址模糊 小区门口', { address: { detail: '幸福小区门口' } }, ctx, 'vague_address', 'service', '地址仅有地标"小区门口"，无门牌号'],
    ['部分到账', { paid: '300.00' }, ctx, 'payment', 'finance', '部分付款 300.00/599.00'],
    ['部分到账 by status', { status: 'partially_paid', paid: '100' }, ctx, 'payment', 'finance', '部分付款 100/599.00'],
    ['付款失败', { status: 'payment_failed', paid: '0' }, ctx, 'payment', 'finance', '付款失败'],
    ['务必在10号前送达', { remark: '务必在10号前送达' }, ctx, 'remark_urgent', 'service', '"务必"'],
    ['转寄', { remark: '收到后请帮忙转寄给我妈' }, ctx, 'remark_forward', 'service', '"转寄"'],
    ['代收', { remark: '放门卫代收' }, ctx, 'remark_forward', 'service', '"代收"'],
    ['急', { remark: '急！10号前送达' }, ctx, 'remark_urgent', 'service', '买家备注含"急"'],
    ['发票 → 财务组', { remark: '需要开发票，抬头见留言' }, ctx, 'remark_invoice', 'finance', '"发票"'],
    ['专票 in the seller remark', { sellerRemark: '客户要开专票' }, ctx, 'remark_invoice', 'finance', '卖家备注含"专票"'],
    ['客户要求更换地址', { remark: '地址写错了，改到公司' }, ctx, 'remark_address_change', 'service', '"地址写错"'],
    ['物流拦截', { logistics: { intercepted: true, carrier: 'SF', trackingNo: 'SF123' } }, ctx, 'logistics_intercepted', 'warehouse', '物流已拦截（SF SF123）'],
    ['缺货', {}, { now: NOW, stock: new Map([['LAMP-01', 0]]) }, 'stock_out', 'warehouse', 'LAMP-01（需1，可用0）'],
    ['大额', { total: '3000.00', paid: '3000.00' }, ctx, 'review', 'review', '大额订单 3000.00 CNY'],
    ['异地 新疆', { address: { province: '新疆维吾尔自治区', city: '乌鲁木齐市', district: '天山区' } }, ctx, 'review', 'review', '异地订单：新疆维吾尔自治区'],
    ['异地 by short name', { address: { province: '西藏', city: '拉萨', district: '城关区' } }, ctx, 'review', 'review', '异地订单：西藏自治区'],
    ['预售尾款逾期', { presale: true, status: 'partially_paid', paid: '100.00', balanceDueAt: '2026-01-08T23:59:59+08:00' }, ctx, 'payment', 'finance', '预售尾款未付 100.00/599.00'],
  ])('%s', (_name, patch, c, type, team, reason) => {
    const result = run(patch, c);
    expect(types(result)).toEqual([type]);
    expect(result.exceptions[0]).toMatchObject({ type, team });
    expect(reasonOf(result.exceptions[0])).toContain(reason);
    expect(result.autoApproved).toBe(false);
  });

  it.each([
    ['vague_address', 'warning'],
    ['payment', 'warning'],
    ['remark_urgent', 'critical'],
    ['remark_invoice', 'info'],
    ['logistics_intercepted', 'critical'],
    ['stock_out', 'critical'],
  ])('default route of %s has severity %s and the 30/60 minute SLA', (type, severity) => {
    expect(DEFAULT_RULES.routes[type]).toMatchObject({ severity, claimMinutes: 30, resolveMinutes: 60 });
  });
});

describe('classify: orders that must pass', () => {
  it.each<[string, Patch]>([
    ['the clean example order', {}],
    ['full-width digits in the detail', { address: { detail: '文三路９０号３幢５０１室' } }],
    ['mixed scripts', { address: { detail: 'Room 501, 3号楼' } }],
    ['empty remark', { remark: '', sellerRemark: '' }],
    ['undefined remark', { remark: undefined }],
    ['不急 is not urgent', { remark: '不急，慢慢发' }],
    ['不要发票 is not an invoice request', { remark: '不要发票' }],
    ['a door landmark beside a house number', { address: { detail: '文三路90号3幢门口' } }],
    ['municipality 北京市/北京市/朝阳区', { address: { province: '北京市', city: '北京市', district: '朝阳区', detail: '建国路88号1号楼' } }],
    ['short province and city names', { address: { province: '浙江', city: '杭州', district: '西湖区' } }],
    ['内蒙古 short name', { address: { province: '内蒙古', city: '呼和浩特', district: '新城区', detail: '新华大街5号' } }],
    ['a city without districts', { address: { province: '广东省', city: '东莞市', district: undefined, detail: '长安镇振安路8号' } }],
    ['just under the review amount', { total: '2999.99', paid: '2999.99' }],
    ['paid equals total in another scale', { total: '599.00', paid: '599' }],
    ['paid amount not reported for a paid order', { paid: undefined }],
    ['unpaid order', { status: 'pending_payment', paid: '0' }],
    ['created order', { status: 'created', paid: undefined }],
    ['presale deposit before the balance deadline', { presale: true, status: 'partially_paid', paid: '100.00', balanceDueAt: '2026-01-10T00:00:00+08:00' }],
    ['enough stock, unknown SKUs unchecked', { items: [{ sku: 'LAMP-01', qty: 2 }, { sku: 'NEW-SKU', qty: 9 }] }],
  ])('%s is auto-approved', (_name, patch) => {
    const result = run(patch, { now: NOW, stock: new Map([['LAMP-01', 5]]) });
    expect(result.exceptions).toEqual([]);
    expect(result.autoApproved).toBe(true);
  });
});

describe('classify: vague address sub-rules', () => {
  it.each<[string, Partial<Address>, string, string]>([
    ['relative place even with a number', { detail: '文三路90号附近' }, 'vague_address.landmark', '地址含相对位置"附近"'],
    ['station without a number', { detail: '幸福小区菜鸟驿站' }, 'vague_address.landmark', '无门牌号'],
    ['detail too short', { detail: '5号' }, 'vague_address.too_short', '详细地址过短（2字）'],
    ['no house number', { detail: '西湖文化广场' }, 'vague_address.no_house_number', '无门牌号'],
    ['missing province and detail', { province: '', detail: undefined }, 'vague_address.missing_field', '地址缺少省份、详细地址'],
    ['province/city mismatch 浙江省 + 广州市', { city: '广州市', district: '天河区' }, 'vague_address.division', '广州市不属于浙江省'],
    ['missing district', { district: undefined }, 'vague_address.division', '杭州市缺少区县'],
    ['district of another city', { district: '朝阳区' }, 'vague_address.division', '朝阳区不属于杭州市'],
    ['unknown province', { province: '火星省' }, 'vague_address.division', '省份"火星省"不存在'],
  ])('%s', (_name, address, rule, reason) => {
    const result = run({ address });
    expect(types(result)).toEqual(['vague_address']);
    expect(reasonOf(result.exceptions[0])).toContain(reason);
    expect(result.trace).toContainEqual(expect.objectContaining({ rule, fired: true }));
  });

  it('one exception per type: several vague-address sub-rules combine their reasons', () => {
    const result = run({ address: { city: '广州市', district: '天河区', detail: '小区门口' } });
    expect(types(result)).toEqual(['vague_address']);
    const e = result.exceptions[0];
    expect(e?.rule).toBe('vague_address.landmark');
    expect(reasonOf(e)).toBe('地址仅有地标"小区门口"，无门牌号；广州市不属于浙江省');
    const fired = result.trace.filter((t) => t.fired).map((t) => t.rule);
    expect(fired).toEqual(expect.arrayContaining(['vague_address.landmark', 'vague_address.division']));
  });

  it('one exception per type: amount and region both raise a single review', () => {
    const result = run({ total: '5000', paid: '5000', address: { province: '新疆', city: '喀什地区', district: '喀什市' } });
    expect(types(result)).toEqual(['review']);
    expect(reasonOf(result.exceptions[0])).toBe('大额订单 5000 CNY（≥ 3000）；异地订单：新疆维吾尔自治区');
  });

  it('a disabled rule raises nothing and says so in the trace', () => {
    const rules: RulesConfig = { ...DEFAULT_RULES, vagueAddress: { ...DEFAULT_RULES.vagueAddress, enabled: false } };
    const result = run({ address: { detail: '小区门口' } }, ctx, rules);
    expect(result.exceptions).toEqual([]);
    expect(result.trace).toContainEqual({ rule: 'vague_address', fired: false, detail: { key: 'trace.disabled' } });
  });
});

describe('classify: payment and stock amounts', () => {
  it.each<[string, Patch, string | null]>([
    ['paid a fraction of a cent short', { paid: '598.999' }, '部分付款 598.999/599.00'],
    ['overpaid is not an exception', { paid: '600.00' }, null],
    ['completed with a shortfall', { status: 'completed', paid: '500' }, '部分付款 500/599.00'],
    ['presale overdue with the balance paid', { presale: true, paid: '599.00', balanceDueAt: '2026-01-01T00:00:00+08:00' }, null],
  ])('%s', (_name, patch, reason) => {
    const payment = run(patch).exceptions.find((e) => e.type === 'payment');
    expect(reasonOf(payment) ?? null).toBe(reason);
  });

  it('adds up the quantity of a SKU over several lines', () => {
    const items = [{ sku: 'LAMP-01', qty: 2 }, { sku: 'LAMP-01', qty: 2 }];
    const result = run({ items }, { now: NOW, stock: new Map([['LAMP-01', 3]]) });
    expect(types(result)).toEqual(['stock_out']);
    expect(reasonOf(result.exceptions[0])).toBe('库存不足：LAMP-01（需4，可用3）');
  });
});

describe('classify: tags and priority', () => {
  it.each<[string, Patch, RulesConfig, string[], number]>([
    ['plain', {}, DEFAULT_RULES, [], 0],
    ['VIP buyer', { buyer: { vip: true } }, DEFAULT_RULES, ['vip'], 2],
    ['VIP and urgent', { buyer: { vip: true }, remark: '加急' }, DEFAULT_RULES, ['vip', 'urgent'], 3],
    ['urgent in the seller remark', { sellerRemark: '客户说尽快' }, DEFAULT_RULES, ['urgent'], 1],
    ['不急 is not urgent', { remark: '不着急' }, DEFAULT_RULES, [], 0],
    ['presale', { presale: true }, DEFAULT_RULES, ['presale'], 0],
    ['VIP by total', { total: '1000.00', paid: '1000.00' }, { ...DEFAULT_RULES, tags: { ...DEFAULT_RULES.tags, vip: { buyerFlag: true, minTotal: '1000' } } }, ['vip'], 2],
    ['buyer flag ignored when disabled', { buyer: { vip: true } }, { ...DEFAULT_RULES, tags: { ...DEFAULT_RULES.tags, vip: { buyerFlag: false, minTotal: null } } }, [], 0],
  ])('%s', (_name, patch, rules, tags, priority) => {
    const result = run(patch, ctx, rules);
    expect(result.tags).toEqual(tags);
    expect(result.priority).toBe(priority);
  });
});

describe('classify: terminal orders, trace and routing', () => {
  it.each<OrderStatus>(['cancelled', 'refunded', 'closed'])('a %s order raises no exceptions', (status) => {
    const result = run({ status, remark: '急，要发票', address: { detail: '小区门口' }, logistics: { intercepted: true } });
    expect(result.exceptions).toEqual([]);
    expect(result.trace).toContainEqual(expect.objectContaining({ rule: 'status.terminal', fired: true }));
    expect(result.trace.some((t) => t.rule.startsWith('vague_address'))).toBe(false);
  });

  it('traces every rule, fired or not, with a reason', () => {
    const result = run({});
    const rules = result.trace.map((t) => t.rule);
    expect(rules).toEqual(expect.arrayContaining([
      'tag.vip', 'tag.presale', 'tag.urgent', 'vague_address.missing_field', 'vague_address.too_short',
      'vague_address.landmark', 'vague_address.no_house_number', 'vague_address.division', 'payment.failed',
      'payment.partial', 'payment.presale_balance', 'remark_forward.keyword', 'remark_urgent.keyword',
      'remark_invoice.keyword', 'remark_address_change.keyword', 'logistics_intercepted.flag',
      'stock_out.insufficient', 'review.amount', 'review.region',
    ]));
    expect(result.trace.every((t) => !t.fired && MESSAGE_KEYS.en.includes(t.detail.key) && MESSAGE_KEYS['zh-CN'].includes(t.detail.key))).toBe(true);
    expect(result.trace.map((t) => renderMessage('zh-CN', t.detail))).toContain('省份、城市、详细地址齐全');
  });

  it('routes a custom keyword group type through the default route', () => {
    const rules: RulesConfig = {
      ...DEFAULT_RULES,
      remarkKeywords: [...DEFAULT_RULES.remarkKeywords, { type: 'remark_gift', keywords: ['贺卡'], exclude: [] }],
      routes: { ...DEFAULT_RULES.routes, default: { team: 'ops', severity: 'info', claimMinutes: 15, resolveMinutes: 45 } },
    };
    const result = run({ remark: '请附贺卡' }, ctx, rules);
    expect(result.exceptions).toEqual([{
      type: 'remark_gift', rule: 'remark_gift.keyword', reasons: [{ key: 'reason.remark.buyer', params: { keyword: '贺卡' } }],
      team: 'ops', severity: 'info', claimMinutes: 15, resolveMinutes: 45, clock: 'wall',
    }]);
  });

  it('gives one exception per type when both remarks match the same group', () => {
    const result = run({ remark: '急', sellerRemark: '加急处理' });
    expect(types(result)).toEqual(['remark_urgent']);
  });

  it('is deterministic: the same input gives the same output', () => {
    const p: Patch = { remark: '急，要发票', paid: '1', address: { detail: '驿站' } };
    expect(run(p)).toEqual(run(p));
    expect(types(run(p))).toEqual(['vague_address', 'payment', 'remark_urgent', 'remark_invoice']);
  });
});
