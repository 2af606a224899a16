import type { ItemError } from '../source';
import { gmt8ToIso } from '../common/china-time';
import { toYuan } from '../../../domain/money';
import {
  arr, compact, int, obj, statusOf, str, type HoldReason, type Json, type MapResult, type PlatformOrder, type PlatformStage,
} from '../common/platform-order';

/** `orderState` → §7.2 stage and hold. LOCKED/PAUSE: JD stopped the order; we do not guess why. */
export const JD_STATUS: Record<string, { stage: PlatformStage; hold?: HoldReason }> = {
  WAIT_SELLER_STOCK_OUT: { stage: 'pending' },
  WAIT_SELLER_DELIVERY: { stage: 'pending' },
  WAIT_SEND_CODE: { stage: 'pending' },
  WAIT_GOODS_RECEIVE_CONFIRM: { stage: 'shipped' },
  FINISHED_L: { stage: 'completed' },
  TRADE_CANCELED: { stage: 'cancelled' },
  LOCKED: { stage: 'pending', hold: 'platform_hold' },
  PAUSE: { stage: 'pending', hold: 'platform_hold' },
  POP_ORDER_PAUSE: { stage: 'pending', hold: 'platform_hold' },
};

/** One `orderInfoList[]` item of jingdong.pop.order.search / enSearch (§4) → the internal order. */
export function mapJdOrder(o: Json): MapResult {
  const errors: ItemError[] = [];
  const id = str(o.orderId);
  if (!id) errors.push({ field: 'orderId', message: 'is required' });
  const code = str(o.orderState);
  const state = code ? JD_STATUS[code] : undefined;
  if (!state) errors.push({ field: 'orderState', message: `unknown JD orderState "${code ?? ''}"` });
  const createdAt = gmt8ToIso(o.orderStartTime);
  if (!createdAt) errors.push({ field: 'orderStartTime', message: 'must be "yyyy-MM-dd HH:mm:ss"' });
  const total = toYuan(o.orderPayment ?? o.orderTotalPrice);
  if (total === null) errors.push({ field: 'orderPayment', message: 'must be a yuan amount' });
  const items = arr(o.itemInfoList).map((raw, i) => {
    const l = obj(raw);
    const qty = int(l.itemTotal) ?? 0;
    if (qty <= 0) errors.push({ field: `itemInfoList.${i}.itemTotal`, message: 'must be a positive whole number' });
    return compact({ sku: str(l.outerSkuId) ?? str(l.skuId) ?? `line:${i}`, qty, price: toYuan(l.jdPrice) ?? undefined, name: str(l.skuName) });
  });
  if (errors.length > 0 || !id || !state || !createdAt || total === null) return { ok: false, errors };

  const { status, stage } = statusOf(state.stage);
  const c = obj(o.consigneeInfo);
  const order: PlatformOrder = compact({
    source: 'jd',
    externalId: id,
    channel: 'jd',
    shop: str(o.venderId),
    createdAt,
    updatedAt: gmt8ToIso(o.modified),
    status,
    stage,
    // enSearch returns these encrypted, search masked: kept exactly as given either way.
    buyer: compact({ name: str(c.fullname), phone: str(c.mobile) ?? str(c.telephone) }),
    address: compact({ province: str(c.province), city: str(c.city), district: str(c.county), detail: str(c.fullAddress) }),
    items,
    total,
    paid: status === 'cancelled' ? undefined : total,
    currency: 'CNY',
    remark: str(o.orderRemark),
    sellerRemark: str(o.venderRemark),
    presale: false,
    logistics: compact({ intercepted: false, carrier: str(o.logisticsId), trackingNo: str(o.waybill) }),
    platformStatus: code!,
    holdReason: state.hold,
    flags: [],
    paidAt: gmt8ToIso(o.paymentConfirmTime),
  });
  return { ok: true, order };
}
