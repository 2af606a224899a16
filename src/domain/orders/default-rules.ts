/**
 * The built-in rule set, reproducing the exception handbook of the source article
 * (seeds/order-ops-pain-points.zh.txt): 小区门口 → vague address, 部分到账 → payment,
 * "务必在10号前送达" / 转寄 / 代收 / 急 → service, 发票 → finance, 物流拦截, 缺货, 大额或异地 → review.
 * orderops.yml overrides any part of it.
 */
import type { ExceptionRoute, KeywordGroup, RulesConfig } from './rules-types';

const route = (team: string, severity: ExceptionRoute['severity'] = 'warning'): ExceptionRoute => ({
  team,
  severity,
  claimMinutes: 30, // article: "首次提醒后30分钟未处理，升级通知主管"
  resolveMinutes: 60, // article: "1小时未闭环，触发邮件+短信双重告警"
  clock: 'wall',
});

const URGENT_KEYWORDS = ['急', '加急', '尽快', '务必'];
// "不急，慢慢发" is the opposite of urgent.
const URGENT_EXCLUDE = ['不急', '不着急', '不用急', '别急', '无需着急'];

const remark = (type: string, keywords: string[], exclude: string[] = []): KeywordGroup => ({ type, keywords, exclude });

export const DEFAULT_RULES: RulesConfig = {
  tags: {
    vip: { buyerFlag: true, minTotal: null },
    presale: { enabled: true },
    urgent: { type: 'urgent', keywords: URGENT_KEYWORDS, exclude: URGENT_EXCLUDE },
  },
  vagueAddress: {
    enabled: true,
    // Only place words that never appear in a normal "路/号/幢/室" detail, so 文三路90号3幢501室 passes.
    landmarks: ['小区门口', '门口', '驿站', '附近', '对面', '旁边', '路口', '快递柜', '丰巢', '菜鸟', '自提点'],
    relativeLandmarks: ['附近', '对面', '旁边'],
    requireHouseNumber: true,
    minDetailLength: 4,
    checkDivisions: true,
  },
  payment: { enabled: true },
  remarkKeywords: [
    remark('remark_forward', ['转寄', '代收']),
    // "务必在10号前送达": 务必 alone is the signal; the date is for the human to read.
    remark('remark_urgent', URGENT_KEYWORDS, URGENT_EXCLUDE),
    remark('remark_invoice', ['发票', '开票', '专票'], [
      '不要发票',
      '不需要发票',
      '无需发票',
      '不用发票',
      '不开票',
      '不用开发票',
      '不需要开发票',
      '不要开发票',
    ]),
    remark('remark_address_change', ['改地址', '修改地址', '换地址', '更改地址', '地址写错', '地址错了']),
  ],
  logistics: { enabled: true },
  stock: { enabled: true },
  // article: "仅对大额或异地订单保留人工干预"
  review: { amountAtLeast: '3000', regions: ['新疆维吾尔自治区', '西藏自治区'] },
  routes: {
    vague_address: route('service'),
    payment: route('finance'),
    remark_forward: route('service'),
    remark_urgent: route('service', 'critical'),
    remark_invoice: route('finance', 'info'), // article: 含"发票"字样的订单自动转交财务组
    remark_address_change: route('service'),
    logistics_intercepted: route('warehouse', 'critical'),
    stock_out: route('warehouse', 'critical'),
    review: route('review'),
    // Platform signals (src/domain/signals): a ship-by warning turns critical at breach.
    ship_overdue: route('warehouse'),
    refund_pending: route('warehouse', 'critical'), // do not ship / intercept the parcel
    pickup_overdue: route('warehouse'),
    tracking_stalled: route('service'),
    delivery_refused: route('service'),
    default: route('service'),
  },
};
