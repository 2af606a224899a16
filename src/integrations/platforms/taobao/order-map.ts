import type { ItemError } from '../source';
import { addDaysIso, earliestIso, gmt8ToIso } from '../common/china-time';
import type { RefundStatus } from '../../../domain/orders/order';
import { toYuan } from '../../../domain/money';
import {
  arr, compact, int, obj, statusOf, str, type HoldReason, type Json, type MapResult, type PlatformOrder, type PlatformStage,
} from '../common/platform-order';

/** Trade `status` → §7.2 stage. TRADE_CLOSED after payment is a full refund. */
export const TAOBAO_STATUS: Record<string, PlatformStage> = {
  TRADE_NO_CREATE_PAY: 'pending_payment',
  WAIT_BUYER_PAY: 'pending_payment',
  PAY_PENDING: 'pending_payment',
  WAIT_PRE_AUTH_CONFIRM: 'pending_payment',
  PAID_FORBID_CONSIGN: 'pending',
  WAIT_SELLER_SEND_GOODS: 'pending',
  SELLER_CONSIGNED_PART: 'shipped',
  WAIT_BUYER_CONFIRM_GOODS: 'shipped',
  TRADE_BUYER_SIGNED: 'completed',
  TRADE_FINISHED: 'completed',
  TRADE_CLOSED: 'cancelled',
  TRADE_CLOSED_BY_TAOBAO: 'cancelled',
};

/** Sub-order refund states that still need the seller (hold the order; intercept if shipped). */
const REFUND_OPEN = new Set(['WAIT_SELLER_AGREE', 'WAIT_BUYER_RETURN_GOODS', 'WAIT_SELLER_CONFIRM_GOODS']);

/**
 * The ship-by promise (ops-signals-and-calendar.md §2): the earliest sub-order `delivery_time`
 * (最晚发货时间), else `consign_due_time` ("1_<yyyy-MM-dd HH:mm:ss>" absolute or "2_<days>" after
 * payment), else the presale trade's `send_time` (订单将在此时间前发出).
 */
export function taobaoShipBy(t: Json, lines: Json[], paidAt: string | undefined): string | undefined {
  const delivery = earliestIso(lines.map((l) => gmt8ToIso(l.delivery_time)));
  if (delivery) return delivery;
  const due = lines.map((l) => str(l.consign_due_time)).find((v) => v !== undefined);
  const m = due ? /^([12])_(.+)$/.exec(due) : null;
  if (m?.[1] === '1') return gmt8ToIso(m[2]);
  if (m?.[1] === '2' && paidAt && /^\d{1,3}$/.test(m[2]!)) return addDaysIso(paidAt, Number(m[2]));
  return gmt8ToIso(t.send_time);
}

/** Sub-order refund states → the order's refund: one still open wins, then done, refused, closed. */
export function taobaoRefund(refunds: string[], stage: PlatformStage, at: string | undefined): { status: RefundStatus; at?: string } | undefined {
  const status: RefundStatus | undefined = refunds.some((r) => REFUND_OPEN.has(r)) ? 'requested'
    : stage === 'refunded' || refunds.includes('SUCCESS') ? 'refunded'
    : refunds.includes('SELLER_REFUSE_BUYER') ? 'rejected'
    : refunds.includes('CLOSED') ? 'withdrawn'
    : undefined;
  return status ? compact({ status, at }) : undefined;
}

/** TOP wraps lists as `{orders: {order: [...]}}`; a plain array is accepted too. */
export const topList = (v: unknown, key: string): unknown[] => (Array.isArray(v) ? v : arr(obj(v)[key]));

/**
 * A Taobao/Tmall trade (§2.4; amounts in yuan strings, times GMT+8 strings) → the internal order.
 * Receiver fields are masked by the platform and kept as sent; the OAID goes to receiverCipher.
 */
export function mapTaobaoTrade(t: Json): MapResult {
  const errors: ItemError[] = [];
  const tid = str(t.tid);
  if (!tid) errors.push({ field: 'tid', message: 'is required' });
  const code = str(t.status);
  let stage = code ? TAOBAO_STATUS[code] : undefined;
  if (!stage) errors.push({ field: 'status', message: `unknown Taobao trade status "${code ?? ''}"` });
  const createdAt = gmt8ToIso(t.created);
  if (!createdAt) errors.push({ field: 'created', message: 'must be "yyyy-MM-dd HH:mm:ss"' });
  const total = toYuan(t.payment ?? '0');
  if (total === null) errors.push({ field: 'payment', message: 'must be a yuan amount' });
  const lines = topList(t.orders, 'order').map(obj);
  const items = lines.map((l, i) => {
    const qty = int(l.num) ?? 0;
    if (qty <= 0) errors.push({ field: `orders.${i}.num`, message: 'must be a positive whole number' });
    const sku = str(l.outer_sku_id) ?? str(l.outer_iid) ?? str(l.sku_id) ?? str(l.num_iid) ?? `oid:${str(l.oid) ?? i}`;
    return compact({ sku, qty, price: toYuan(l.price) ?? undefined, name: str(l.title) });
  });
  if (errors.length > 0 || !tid || !stage || !createdAt || total === null) return { ok: false, errors };

  const paidAt = gmt8ToIso(t.pay_time);
  if (code === 'TRADE_CLOSED' && paidAt) stage = 'refunded';
  let holdReason: HoldReason | undefined = code === 'PAID_FORBID_CONSIGN' ? 'group_pending' : undefined;
  const presale = str(t.type) === 'step';
  let paid: string | undefined = stage === 'pending_payment' || stage === 'cancelled' ? undefined : total;
  // Deposit presale: only the deposit is paid; the order may not ship until the balance is.
  if (presale && str(t.step_trade_status) === 'FRONT_PAID_FINAL_NOPAID') {
    stage = 'pending_payment';
    paid = toYuan(t.step_paid_fee) ?? undefined;
    holdReason = 'presale_unpaid';
  }
  const refunds = lines.map((l) => str(l.refund_status) ?? 'NO_REFUND');
  const flags: string[] = code === 'SELLER_CONSIGNED_PART' ? ['partially_shipped'] : [];
  if (refunds.some((r) => REFUND_OPEN.has(r))) holdReason = stage === 'shipped' ? 'intercept' : 'refund_pending';
  if (stage !== 'refunded' && refunds.includes('SUCCESS')) flags.push('partially_refunded');

  const { status, stage: internalStage } = statusOf(stage);
  // Tmall trades carry 天猫时效承诺 on their sub-orders; their ship-by rules (config ship_by.tmall) differ.
  const tmall = lines.some((l) => str(l.timing_promise) === 'tmallPromise');
  const order: PlatformOrder = compact({
    source: 'taobao',
    externalId: tid,
    channel: tmall ? 'tmall' : 'taobao',
    shop: str(t.seller_nick),
    createdAt,
    updatedAt: gmt8ToIso(t.modified),
    status,
    stage: internalStage,
    buyer: compact({ name: str(t.receiver_name), phone: str(t.receiver_mobile) ?? str(t.receiver_phone) }),
    address: compact({
      province: str(t.receiver_state),
      city: str(t.receiver_city),
      district: str(t.receiver_district),
      detail: [str(t.receiver_town), str(t.receiver_address)].filter(Boolean).join('') || undefined,
    }),
    items,
    total,
    paid,
    currency: 'CNY',
    remark: str(t.buyer_message),
    sellerRemark: str(t.seller_memo),
    presale,
    logistics: { intercepted: false },
    platformStatus: [code, str(t.step_trade_status)].filter(Boolean).join('/'),
    holdReason,
    flags,
    paidAt,
    shipBy: taobaoShipBy(t, lines, paidAt),
    refund: taobaoRefund(refunds, stage, gmt8ToIso(t.modified)),
    shippedAt: gmt8ToIso(t.consign_time),
    finishedAt: gmt8ToIso(t.end_time),
    sellerFlag: int(t.seller_flag),
    receiverCipher: str(t.oaid) ? { oaid: str(t.oaid) } : undefined,
  });
  return { ok: true, order };
}
