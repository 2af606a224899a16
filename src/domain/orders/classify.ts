/**
 * The rule engine: tags an order, detects its exceptions and routes each to a team. Pure — the
 * clock and stock levels come in through `ctx`, so the same input always gives the same answer.
 * Every rule leaves a trace entry (fired or not, and why) for `orderops rules test`.
 */
import { isTerminalStatus, type Order } from './order';
import type {
  Classification,
  ClassifyContext,
  DetectedException,
  ExceptionRoute,
  RuleTrace,
  RulesConfig,
} from './rules-types';
import { canonicalProvince, checkDivisions } from './divisions';
import { hasHouseNumber, matchKeywords, normalizePhrase, normalizeText } from './text';

/** Used only when a rule set has no `default` route; config validation normally supplies one. */
const FALLBACK_ROUTE: ExceptionRoute = { team: 'service', severity: 'warning', claimMinutes: 30, resolveMinutes: 60, clock: 'wall' };
const DEFAULT_RELATIVE_LANDMARKS = ['附近', '对面', '旁边'];

function parseDecimal(s: string): { units: bigint; scale: number } | null {
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(s);
  if (!m || (!m[2] && !m[3])) return null;
  const frac = m[3] ?? '';
  return { units: BigInt(`${m[1] === '-' ? '-' : ''}${m[2] || '0'}${frac}`), scale: frac.length };
}

/**
 * Exact comparison of decimal strings (-1, 0, 1), or null if either is not a decimal.
 * Money never goes through floats: "0.10" + "0.20" style rounding must not decide an exception.
 * @example compareDecimal('599.00', '599') // 0
 */
export function compareDecimal(a: string, b: string): -1 | 0 | 1 | null {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  if (!x || !y) return null;
  const scale = Math.max(x.scale, y.scale);
  const xs = x.units * 10n ** BigInt(scale - x.scale);
  const ys = y.units * 10n ** BigInt(scale - y.scale);
  return xs < ys ? -1 : xs > ys ? 1 : 0;
}

const atLeast = (a: string, b: string): boolean => (compareDecimal(a, b) ?? -1) >= 0;

/** Collects trace entries and exceptions; one exception per type, reasons of its sub-rules joined. */
class Findings {
  readonly trace: RuleTrace[] = [];
  readonly byType = new Map<string, { rule: string; reasons: string[] }>();

  note(rule: string, fired: boolean, detail: string): void {
    this.trace.push({ rule, fired, detail });
  }

  raise(type: string, rule: string, reason: string): void {
    this.note(rule, true, reason);
    const hit = this.byType.get(type);
    if (hit) hit.reasons.push(reason);
    else this.byType.set(type, { rule, reasons: [reason] });
  }
}

function tagOrder(order: Order, rules: RulesConfig, f: Findings): string[] {
  const tags: string[] = [];
  const { vip, presale, urgent } = rules.tags;
  const byFlag = vip.buyerFlag && order.buyer.vip === true;
  const byTotal = vip.minTotal !== null && atLeast(order.total, vip.minTotal);
  if (byFlag || byTotal) tags.push('vip');
  f.note('tag.vip', byFlag || byTotal, byFlag ? '买家为VIP' : byTotal ? `订单金额${order.total} ≥ ${vip.minTotal}` : '买家非VIP');

  const isPresale = presale.enabled && order.presale;
  if (isPresale) tags.push('presale');
  f.note('tag.presale', isPresale, !presale.enabled ? '规则已停用' : isPresale ? '预售订单' : '非预售订单');

  const kw = matchKeywords(order.remark, urgent) ?? matchKeywords(order.sellerRemark, urgent);
  if (kw) tags.push('urgent');
  f.note('tag.urgent', kw !== null, kw ? `备注含"${kw}"` : '备注无加急关键词');
  return tags;
}

function checkAddress(order: Order, cfg: RulesConfig['vagueAddress'], f: Findings): void {
  const T = 'vague_address';
  if (!cfg.enabled) return f.note(T, false, '规则已停用');
  const a = order.address;
  const missing = (
    [
      ['省份', a.province],
      ['城市', a.city],
      ['详细地址', a.detail],
    ] as const
  ).filter(([, v]) => !v?.trim());
  if (missing.length) f.raise(T, `${T}.missing_field`, `地址缺少${missing.map(([n]) => n).join('、')}`);
  else f.note(`${T}.missing_field`, false, '省份、城市、详细地址齐全');

  const detail = normalizeText(a.detail ?? '');
  if (detail) {
    const len = [...detail.replace(/\s/g, '')].length;
    if (len < cfg.minDetailLength) f.raise(T, `${T}.too_short`, `详细地址过短（${len}字）`);
    else f.note(`${T}.too_short`, false, `详细地址${len}字，不少于${cfg.minDetailLength}字`);

    const numbered = hasHouseNumber(detail);
    const relative = new Set((cfg.relativeLandmarks ?? DEFAULT_RELATIVE_LANDMARKS).map(normalizePhrase));
    // Longest first, so the reason names 小区门口 rather than 门口.
    const words = [...cfg.landmarks].sort((x, y) => y.length - x.length).filter((w) => detail.includes(normalizePhrase(w)));
    const rel = words.find((w) => relative.has(normalizePhrase(w)));
    const bare = numbered ? undefined : words[0];
    if (rel) f.raise(T, `${T}.landmark`, `地址含相对位置"${rel}"`);
    else if (bare) f.raise(T, `${T}.landmark`, `地址仅有地标"${bare}"，无门牌号`);
    else f.note(`${T}.landmark`, false, words[0] ? `含地标"${words[0]}"但有门牌号` : '无地标词');

    if (!cfg.requireHouseNumber) f.note(`${T}.no_house_number`, false, '未要求门牌号');
    else if (numbered) f.note(`${T}.no_house_number`, false, '有门牌号');
    else if (bare && !rel) f.note(`${T}.no_house_number`, true, '无门牌号（已在地标原因中说明）');
    else f.raise(T, `${T}.no_house_number`, '无门牌号');
  } else {
    f.note(`${T}.detail`, false, '无详细地址，跳过长度、地标、门牌号检查');
  }

  if (!cfg.checkDivisions) f.note(`${T}.division`, false, '未启用行政区划校验');
  else if (!a.province?.trim() || !a.city?.trim()) f.note(`${T}.division`, false, '省份或城市缺失，跳过行政区划校验');
  else {
    const r = checkDivisions(a);
    if (r.ok) f.note(`${T}.division`, false, '省市区与行政区划一致');
    else f.raise(T, `${T}.division`, r.detail);
  }
}

function checkPayment(order: Order, ctx: ClassifyContext, f: Findings): void {
  const T = 'payment';
  const { status, total, paid } = order;
  if (status === 'created' || status === 'pending_payment') return f.note(T, false, '订单未付款，不检测付款异常');
  if (status === 'payment_failed') f.raise(T, `${T}.failed`, '付款失败');
  else f.note(`${T}.failed`, false, `状态为${status}`);

  const amounts = `${paid ?? '?'}/${total}`;
  // Without a paid amount, only the status tells whether money is missing.
  const short = paid !== undefined ? compareDecimal(paid, total) === -1 : status === 'partially_paid';
  const partial = status === 'partially_paid' || ((status === 'paid' || status === 'completed') && short);
  const dueAt = order.presale ? order.balanceDueAt : undefined;
  // A presale deposit is a partial payment by design; only its balance deadline makes it an exception.
  if (partial && dueAt) f.note(`${T}.partial`, false, `预售订单按尾款截止时间判断（${amounts}）`);
  else if (partial) f.raise(T, `${T}.partial`, `部分付款 ${amounts}`);
  else f.note(`${T}.partial`, false, paid === undefined ? '无实付金额，按状态视为已付清' : `已付 ${amounts}`);

  if (!dueAt) return f.note(`${T}.presale_balance`, false, order.presale ? '预售订单无尾款截止时间' : '非预售订单');
  const due = Date.parse(dueAt);
  const now = Date.parse(ctx.now);
  if (Number.isNaN(due) || Number.isNaN(now)) return f.note(`${T}.presale_balance`, false, `时间无法解析：${dueAt}`);
  if (due < now && short) f.raise(T, `${T}.presale_balance`, `预售尾款未付 ${amounts}（截止${dueAt}）`);
  else f.note(`${T}.presale_balance`, false, due >= now ? `尾款截止${dueAt}未到` : '尾款已付清');
}

function checkRemarks(order: Order, rules: RulesConfig, f: Findings): void {
  for (const group of rules.remarkKeywords) {
    const rule = `${group.type}.keyword`;
    const buyer = matchKeywords(order.remark, group);
    const seller = buyer ? null : matchKeywords(order.sellerRemark, group);
    if (buyer) f.raise(group.type, rule, `买家备注含"${buyer}"`);
    else if (seller) f.raise(group.type, rule, `卖家备注含"${seller}"`);
    else f.note(rule, false, `备注未命中：${group.keywords.join('/')}`);
  }
}

function checkLogistics(order: Order, rules: RulesConfig, f: Findings): void {
  const rule = 'logistics_intercepted.flag';
  if (!rules.logistics.enabled) return f.note(rule, false, '规则已停用');
  const { intercepted, carrier, trackingNo } = order.logistics;
  const which = [carrier, trackingNo].filter(Boolean).join(' ');
  if (intercepted) f.raise('logistics_intercepted', rule, which ? `物流已拦截（${which}）` : '物流已拦截');
  else f.note(rule, false, '物流未拦截');
}

function checkStock(order: Order, rules: RulesConfig, ctx: ClassifyContext, f: Findings): void {
  const rule = 'stock_out.insufficient';
  if (!rules.stock.enabled) return f.note(rule, false, '规则已停用');
  const stock = ctx.stock;
  if (!stock) return f.note(rule, false, '无库存数据，跳过');
  const wanted = new Map<string, number>();
  for (const it of order.items) wanted.set(it.sku, (wanted.get(it.sku) ?? 0) + it.qty);
  const lacking: string[] = [];
  for (const [sku, qty] of wanted) {
    const available = stock.get(sku);
    if (available !== undefined && qty > available) lacking.push(`${sku} 需${qty}，可用${available}`);
  }
  if (lacking.length) f.raise('stock_out', rule, `库存不足：${lacking.join('，')}`);
  else f.note(rule, false, `已核对${[...wanted.keys()].filter((s) => stock.has(s)).length}个SKU，库存充足`);
}

function checkReview(order: Order, rules: RulesConfig, f: Findings): void {
  const { amountAtLeast, regions } = rules.review;
  if (amountAtLeast === null) f.note('review.amount', false, '未设置大额阈值');
  else if (atLeast(order.total, amountAtLeast)) {
    f.raise('review', 'review.amount', `大额订单 ${order.total} ${order.currency}（≥ ${amountAtLeast}）`);
  } else f.note('review.amount', false, `金额${order.total} < ${amountAtLeast}`);

  // Compare canonical names so 新疆 in an order matches 新疆维吾尔自治区 in the config and back.
  const canon = (p: string) => canonicalProvince(p) ?? normalizeText(p);
  const province = order.address.province?.trim() ? canon(order.address.province) : null;
  if (province && regions.some((r) => canon(r) === province)) f.raise('review', 'review.region', `异地订单：${province}`);
  else f.note('review.region', false, province ? `${province}不在复核地区内` : '无省份');
}

/**
 * Tags the order, detects its exceptions (at most one per type) and routes each through
 * `rules.routes[type] ?? rules.routes.default`. Cancelled, refunded and closed orders raise none.
 * @example classify(order, DEFAULT_RULES, { now: '2026-01-08T21:00:00+08:00' }).exceptions
 */
export function classify(order: Order, rules: RulesConfig, ctx: ClassifyContext): Classification {
  const f = new Findings();
  const tags = tagOrder(order, rules, f);
  const priority = (tags.includes('vip') ? 2 : 0) + (tags.includes('urgent') ? 1 : 0);

  if (isTerminalStatus(order.status)) {
    f.note('status.terminal', true, `订单状态为${order.status}，不检测异常`);
  } else {
    checkAddress(order, rules.vagueAddress, f);
    if (rules.payment.enabled) checkPayment(order, ctx, f);
    else f.note('payment', false, '规则已停用');
    checkRemarks(order, rules, f);
    checkLogistics(order, rules, f);
    checkStock(order, rules, ctx, f);
    checkReview(order, rules, f);
  }

  const exceptions: DetectedException[] = [...f.byType].map(([type, hit]) => {
    const route = rules.routes[type] ?? rules.routes.default ?? FALLBACK_ROUTE;
    return {
      type,
      rule: hit.rule,
      reason: hit.reasons.join('；'),
      team: route.team,
      severity: route.severity,
      claimMinutes: route.claimMinutes,
      resolveMinutes: route.resolveMinutes,
      clock: route.clock ?? 'wall',
    };
  });
  return { tags, priority, exceptions, autoApproved: exceptions.length === 0, trace: f.trace };
}
