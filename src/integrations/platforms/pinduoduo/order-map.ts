import type { ItemError } from '../source';
import { gmt8ToIso } from '../common/china-time';
import { toYuan } from '../../../domain/money';
import {
  arr, compact, int, obj, statusOf, str, type HoldReason, type Json, type MapResult, type PlatformOrder, type PlatformStage,
} from '../common/platform-order';

/**
 * §3.4 / §7.2: PDD splits status over order_status (1 待发货, 2 已发货, 3 已签收), confirm_status
 * (0 未成交, 1 已成交, 2 已取消), group_status (0 拼团中, 1 已成团, 2 失败), refund_status
 * (1 无, 2 处理中, 3 退款中, 4 退款成功) and risk_control_status (1 = under review).
 */
export function pddStage(o: Json): { stage?: PlatformStage; hold?: HoldReason } {
  const confirm = int(o.confirm_status);
  const group = int(o.group_status);
  const refund = int(o.refund_status);
  if (confirm === 0) return { stage: 'pending_payment' };
  if (confirm === 2 || group === 2) return { stage: 'cancelled' };
  if (refund === 4) return { stage: 'refunded' };
  const stage: PlatformStage | undefined = ({ 1: 'pending', 2: 'shipped', 3: 'completed' } as const)[int(o.order_status) ?? 0];
  if (!stage) return {};
  let hold: HoldReason | undefined;
  if (refund === 2 || refund === 3) hold = stage === 'shipped' ? 'intercept' : 'refund_pending';
  else if (int(o.risk_control_status) === 1) hold = 'risk_review';
  else if (stage === 'pending' && group === 0) hold = 'group_pending';
  return { stage, hold };
}

/**
 * A PDD order (`order_sn_list[]` item; amounts in yuan numbers, times GMT+8 strings) → the internal
 * order. Receiver name/phone/address are ciphertext (kept in receiverCipher); the `_mask` fields
 * are what we show.
 */
export function mapPddOrder(o: Json, shop?: string): MapResult {
  const errors: ItemError[] = [];
  const sn = str(o.order_sn);
  if (!sn) errors.push({ field: 'order_sn', message: 'is required' });
  const { stage, hold } = pddStage(o);
  const platformStatus = `${str(o.order_status) ?? '?'}/refund=${str(o.refund_status) ?? '?'}/confirm=${str(o.confirm_status) ?? '?'}/group=${str(o.group_status) ?? '?'}/risk=${str(o.risk_control_status) ?? '0'}`;
  if (!stage) errors.push({ field: 'order_status', message: `unknown Pinduoduo status ${platformStatus}` });
  const createdAt = gmt8ToIso(o.created_time);
  if (!createdAt) errors.push({ field: 'created_time', message: 'must be "yyyy-MM-dd HH:mm:ss"' });
  const total = toYuan(o.pay_amount ?? 0);
  if (total === null) errors.push({ field: 'pay_amount', message: 'must be a yuan amount with at most 2 decimals' });
  const items = arr(o.item_list).map((raw, i) => {
    const l = obj(raw);
    const qty = int(l.goods_count) ?? 0;
    if (qty <= 0) errors.push({ field: `item_list.${i}.goods_count`, message: 'must be a positive whole number' });
    const sku = str(l.outer_id) ?? str(l.outer_goods_id) ?? str(l.sku_id) ?? `goods:${str(l.goods_id) ?? i}`;
    return compact({ sku, qty, price: toYuan(l.goods_price) ?? undefined, name: str(l.goods_name) });
  });
  if (errors.length > 0 || !sn || !stage || !createdAt || total === null) return { ok: false, errors };

  const { status, stage: internalStage } = statusOf(stage);
  const order: PlatformOrder = compact({
    source: 'pinduoduo',
    externalId: sn,
    channel: 'pinduoduo',
    shop,
    createdAt,
    updatedAt: gmt8ToIso(o.updated_at),
    status,
    stage: internalStage,
    buyer: compact({ name: str(o.receiver_name_mask), phone: str(o.receiver_phone_mask) }),
    address: compact({ province: str(o.province), city: str(o.city), district: str(o.town), detail: str(o.receiver_address_mask) }),
    items,
    total,
    paid: status === 'pending_payment' || status === 'cancelled' ? undefined : total,
    currency: 'CNY',
    remark: str(o.buyer_memo),
    sellerRemark: str(o.remark),
    presale: int(o.is_pre_sale) === 1 || int(o.trade_type) === 1,
    logistics: compact({ intercepted: false, carrier: str(o.logistics_id), trackingNo: str(o.tracking_number) }),
    platformStatus,
    holdReason: hold,
    flags: [],
    paidAt: gmt8ToIso(o.confirm_time) ?? gmt8ToIso(o.pay_time),
    shippedAt: gmt8ToIso(o.shipping_time),
    finishedAt: gmt8ToIso(o.receive_time),
    // 预售: the ship time promised on the item page (pre_sale_time) when there is no last_ship_time.
    shipBy: gmt8ToIso(o.last_ship_time) ?? (int(o.is_pre_sale) === 1 ? gmt8ToIso(o.pre_sale_time) : undefined),
    refund: pddRefund(int(o.refund_status), gmt8ToIso(o.updated_at)),
    sellerFlag: int(o.remark_tag),
    receiverCipher: cipherOf(o),
  });
  return { ok: true, order };
}

/** refund_status 2 售后处理中 / 3 退款中 → requested, 4 退款成功 → refunded; 1 (none or closed) → no refund. */
export function pddRefund(code: number | undefined, at: string | undefined): PlatformOrder['refund'] {
  if (code === 2 || code === 3) return compact({ status: 'requested' as const, at });
  if (code === 4) return compact({ status: 'refunded' as const, at });
  return undefined;
}

function cipherOf(o: Json): PlatformOrder['receiverCipher'] {
  const c = compact({ name: str(o.receiver_name), phone: str(o.receiver_phone), detail: str(o.receiver_address) });
  return Object.keys(c).length > 0 ? c : undefined;
}
