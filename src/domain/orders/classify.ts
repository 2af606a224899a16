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
import { msg, type MessageRef } from '../message';
import { compareDecimal } from '../money';

/** Used only when a rule set has no `default` route; config validation normally supplies one. */
const FALLBACK_ROUTE: ExceptionRoute = { team: 'service', severity: 'warning', claimMinutes: 30, resolveMinutes: 60, clock: 'wall' };
const DEFAULT_RELATIVE_LANDMARKS = ['附近', '对面', '旁边'];
const DISABLED = msg('trace.disabled');

/** Money thresholds compare exactly, at any scale (domain/money.ts rule 5). */
const atLeast = (a: string, b: string): boolean => (compareDecimal(a, b) ?? -1) >= 0;

/**
 * Collects trace entries and exceptions; one exception per type, keeping the reasons of its sub-rules.
 * Reasons and trace details are message keys (texts in src/present/i18n/catalogues/rules.ts).
 */
class Findings {
  readonly trace: RuleTrace[] = [];
  readonly byType = new Map<string, { rule: string; reasons: MessageRef[] }>();

  note(rule: string, fired: boolean, detail: MessageRef): void {
    this.trace.push({ rule, fired, detail });
  }

  raise(type: string, rule: string, reason: MessageRef): void {
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
  f.note('tag.vip', byFlag || byTotal, byFlag ? msg('trace.tag.vip_flag') : byTotal ? msg('trace.tag.vip_total', { total: order.total, min: vip.minTotal! }) : msg('trace.tag.not_vip'));

  const isPresale = presale.enabled && order.presale;
  if (isPresale) tags.push('presale');
  f.note('tag.presale', isPresale, !presale.enabled ? DISABLED : isPresale ? msg('trace.presale') : msg('trace.not_presale'));

  const kw = matchKeywords(order.remark, urgent) ?? matchKeywords(order.sellerRemark, urgent);
  if (kw) tags.push('urgent');
  f.note('tag.urgent', kw !== null, kw ? msg('trace.tag.urgent', { keyword: kw }) : msg('trace.tag.not_urgent'));
  return tags;
}

function checkAddress(order: Order, cfg: RulesConfig['vagueAddress'], f: Findings): void {
  const T = 'vague_address';
  if (!cfg.enabled) return f.note(T, false, DISABLED);
  const a = order.address;
  const missing = (
    [
      ['province', a.province],
      ['city', a.city],
      ['detail', a.detail],
    ] as const
  ).filter(([, v]) => !v?.trim());
  if (missing.length) f.raise(T, `${T}.missing_field`, msg('reason.vague_address.missing_field', { fields: missing.map(([n]) => msg(`reason.address_field.${n}`)) }));
  else f.note(`${T}.missing_field`, false, msg('trace.vague_address.fields_present'));

  const detail = normalizeText(a.detail ?? '');
  if (detail) {
    const len = [...detail.replace(/\s/g, '')].length;
    if (len < cfg.minDetailLength) f.raise(T, `${T}.too_short`, msg('reason.vague_address.too_short', { length: len }));
    else f.note(`${T}.too_short`, false, msg('trace.vague_address.long_enough', { length: len, min: cfg.minDetailLength }));

    const numbered = hasHouseNumber(detail);
    const relative = new Set((cfg.relativeLandmarks ?? DEFAULT_RELATIVE_LANDMARKS).map(normalizePhrase));
    // Longest first, so the reason names 小区门口 rather than 门口.
    const words = [...cfg.landmarks].sort((x, y) => y.length - x.length).filter((w) => detail.includes(normalizePhrase(w)));
    const rel = words.find((w) => relative.has(normalizePhrase(w)));
    const bare = numbered ? undefined : words[0];
    if (rel) f.raise(T, `${T}.landmark`, msg('reason.vague_address.relative_place', { landmark: rel }));
    else if (bare) f.raise(T, `${T}.landmark`, msg('reason.vague_address.landmark', { landmark: bare }));
    else f.note(`${T}.landmark`, false, words[0] ? msg('trace.vague_address.landmark_numbered', { landmark: words[0] }) : msg('trace.vague_address.no_landmark'));

    if (!cfg.requireHouseNumber) f.note(`${T}.no_house_number`, false, msg('trace.vague_address.number_not_required'));
    else if (numbered) f.note(`${T}.no_house_number`, false, msg('trace.vague_address.has_number'));
    else if (bare && !rel) f.note(`${T}.no_house_number`, true, msg('trace.vague_address.number_in_landmark'));
    else f.raise(T, `${T}.no_house_number`, msg('reason.vague_address.no_house_number'));
  } else {
    f.note(`${T}.detail`, false, msg('trace.vague_address.no_detail'));
  }

  if (!cfg.checkDivisions) f.note(`${T}.division`, false, msg('trace.vague_address.divisions_off'));
  else if (!a.province?.trim() || !a.city?.trim()) f.note(`${T}.division`, false, msg('trace.vague_address.divisions_skipped'));
  else {
    const r = checkDivisions(a);
    if (r.ok) f.note(`${T}.division`, false, msg('trace.vague_address.divisions_ok'));
    else f.raise(T, `${T}.division`, r.detail);
  }
}

function checkPayment(order: Order, ctx: ClassifyContext, f: Findings): void {
  const T = 'payment';
  const { status, total, paid } = order;
  if (status === 'created' || status === 'pending_payment') return f.note(T, false, msg('trace.payment.unpaid'));
  if (status === 'payment_failed') f.raise(T, `${T}.failed`, msg('reason.payment.failed'));
  else f.note(`${T}.failed`, false, msg('trace.payment.status', { status }));

  const amounts = { paid: paid ?? '?', total };
  // Without a paid amount, only the status tells whether money is missing.
  const short = paid !== undefined ? compareDecimal(paid, total) === -1 : status === 'partially_paid';
  const partial = status === 'partially_paid' || ((status === 'paid' || status === 'completed') && short);
  const dueAt = order.presale ? order.balanceDueAt : undefined;
  // A presale deposit is a partial payment by design; only its balance deadline makes it an exception.
  if (partial && dueAt) f.note(`${T}.partial`, false, msg('trace.payment.presale_partial', amounts));
  else if (partial) f.raise(T, `${T}.partial`, msg('reason.payment.partial', amounts));
  else f.note(`${T}.partial`, false, paid === undefined ? msg('trace.payment.no_paid_amount') : msg('trace.payment.paid', amounts));

  if (!dueAt) return f.note(`${T}.presale_balance`, false, order.presale ? msg('trace.payment.no_balance_due') : msg('trace.not_presale'));
  const due = Date.parse(dueAt);
  const now = Date.parse(ctx.now);
  if (Number.isNaN(due) || Number.isNaN(now)) return f.note(`${T}.presale_balance`, false, msg('trace.payment.bad_time', { time: dueAt }));
  if (due < now && short) f.raise(T, `${T}.presale_balance`, msg('reason.payment.presale_balance', { ...amounts, due: dueAt }));
  else f.note(`${T}.presale_balance`, false, due >= now ? msg('trace.payment.balance_not_due', { due: dueAt }) : msg('trace.payment.balance_paid'));
}

function checkRemarks(order: Order, rules: RulesConfig, f: Findings): void {
  for (const group of rules.remarkKeywords) {
    const rule = `${group.type}.keyword`;
    const buyer = matchKeywords(order.remark, group);
    const seller = buyer ? null : matchKeywords(order.sellerRemark, group);
    if (buyer) f.raise(group.type, rule, msg('reason.remark.buyer', { keyword: buyer }));
    else if (seller) f.raise(group.type, rule, msg('reason.remark.seller', { keyword: seller }));
    else f.note(rule, false, msg('trace.remark.no_match', { keywords: group.keywords.join('/') }));
  }
}

function checkLogistics(order: Order, rules: RulesConfig, f: Findings): void {
  const rule = 'logistics_intercepted.flag';
  if (!rules.logistics.enabled) return f.note(rule, false, DISABLED);
  const { intercepted, carrier, trackingNo } = order.logistics;
  const which = [carrier, trackingNo].filter(Boolean).join(' ');
  if (intercepted) f.raise('logistics_intercepted', rule, which ? msg('reason.logistics.intercepted_parcel', { parcel: which }) : msg('reason.logistics.intercepted'));
  else f.note(rule, false, msg('trace.logistics.not_intercepted'));
}

function checkStock(order: Order, rules: RulesConfig, ctx: ClassifyContext, f: Findings): void {
  const rule = 'stock_out.insufficient';
  if (!rules.stock.enabled) return f.note(rule, false, DISABLED);
  const stock = ctx.stock;
  if (!stock) return f.note(rule, false, msg('trace.stock.no_data'));
  const wanted = new Map<string, number>();
  for (const it of order.items) wanted.set(it.sku, (wanted.get(it.sku) ?? 0) + it.qty);
  const lacking: MessageRef[] = [];
  for (const [sku, qty] of wanted) {
    const available = stock.get(sku);
    if (available !== undefined && qty > available) lacking.push(msg('reason.stock.line', { sku, qty, available }));
  }
  if (lacking.length) f.raise('stock_out', rule, msg('reason.stock.insufficient', { lines: lacking }));
  else f.note(rule, false, msg('trace.stock.enough', { count: [...wanted.keys()].filter((s) => stock.has(s)).length }));
}

function checkReview(order: Order, rules: RulesConfig, f: Findings): void {
  const { amountAtLeast, regions } = rules.review;
  if (amountAtLeast === null) f.note('review.amount', false, msg('trace.review.no_threshold'));
  else if (atLeast(order.total, amountAtLeast)) {
    f.raise('review', 'review.amount', msg('reason.review.amount', { total: order.total, currency: order.currency, min: amountAtLeast }));
  } else f.note('review.amount', false, msg('trace.review.below', { total: order.total, min: amountAtLeast }));

  // Compare canonical names so 新疆 in an order matches 新疆维吾尔自治区 in the config and back.
  const canon = (p: string) => canonicalProvince(p) ?? normalizeText(p);
  const province = order.address.province?.trim() ? canon(order.address.province) : null;
  if (province && regions.some((r) => canon(r) === province)) f.raise('review', 'review.region', msg('reason.review.region', { province }));
  else f.note('review.region', false, province ? msg('trace.review.other_region', { province }) : msg('trace.review.no_province'));
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
    f.note('status.terminal', true, msg('trace.status.terminal', { status: order.status }));
  } else {
    checkAddress(order, rules.vagueAddress, f);
    if (rules.payment.enabled) checkPayment(order, ctx, f);
    else f.note('payment', false, DISABLED);
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
      reasons: hit.reasons,
      team: route.team,
      severity: route.severity,
      claimMinutes: route.claimMinutes,
      resolveMinutes: route.resolveMinutes,
      clock: route.clock ?? 'wall',
    };
  });
  return { tags, priority, exceptions, autoApproved: exceptions.length === 0, trace: f.trace };
}
