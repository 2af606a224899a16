import type { ItemError } from '../source';
import { unixToIso } from '../common/china-time';
import { parseJsonLossless } from '../common/lossless-json';
import { fenToYuan } from '../../../domain/money';
import { compact, int, isObj, obj, statusOf, str, type Json, type PlatformOrder, type PlatformStage } from '../common/platform-order';
import { cipher, douyinStage, regionName } from './order-map';

/** One element of a Douyin push: `{tag, msg_id, data}` with `data` parsed (losslessly) from its JSON string. */
export interface DouyinMessage {
  tag: string;
  msgId: string;
  data: Json;
}

export type PushMapResult =
  | { kind: 'order'; order: PlatformOrder }
  | { kind: 'skip'; reason: string }
  | { kind: 'error'; errors: ItemError[] };

const ORDER_TAGS = new Set(['100', '101', '110', '102', '104', '108', '103', '106', '109', '105', '113', '200', '201', '206']);

/** Tags that only seed an unknown order: they carry no order status (§1.3). */
const STATUSLESS: Record<string, { flag: string; hold?: PlatformOrder['holdReason'] }> = {
  // 110 follows 101 for the same order and carries no time: as a status message it would replace
  // the paid amount 101 stored with nothing, so it only seeds an order we missed.
  '110': { flag: 'paid_pending_handling' },
  '105': { flag: 'address_changed' },
  '113': { flag: 'memo_changed' },
  '200': { flag: 'refund_requested', hold: 'refund_pending' },
  '201': { flag: 'refund_agreed', hold: 'refund_pending' },
  '206': { flag: 'refund_succeeded' },
};

/**
 * A push message → a partial internal order (`partial: true`). Messages are thin (§1.3): only what
 * the message carries is set, amounts default to 0.00 and items to none until a pull fills them in.
 * A message that carries no status (address, memo, refunds, 110) is given the lowest status and no
 * update time, so it can create an order we have never seen but never overwrite a known one.
 * createdAt falls back to the event time, then the receipt time, when the message has no create_time.
 */
export function mapDouyinPush(m: DouyinMessage, receivedAt: string): PushMapResult {
  const { tag, data: d } = m;
  if (tag === '0') return { kind: 'skip', reason: 'push verification message' };
  if (!ORDER_TAGS.has(tag)) return { kind: 'skip', reason: `tag ${tag} is not an order event orderops uses` };
  const pId = str(d.p_id);
  if (!pId) return { kind: 'error', errors: [{ field: 'data.p_id', message: 'is required (the shop order id)' }] };
  const code = str(d.order_status);

  let stage: PlatformStage | undefined;
  let eventTime: string | undefined;
  const extra: Partial<PlatformOrder> = {};
  switch (tag) {
    case '100':
    case '101':
      stage = douyinStage(code, tag === '101') ?? (tag === '100' ? 'pending_payment' : 'pending');
      eventTime = unixToIso(tag === '100' ? d.create_time : d.pay_time);
      if (tag === '101') {
        const paid = fenToYuan(d.pay_amount);
        if (paid === null) return { kind: 'error', errors: [{ field: 'data.pay_amount', message: 'must be whole fen' }] };
        Object.assign(extra, { total: paid, paid, paidAt: eventTime });
      }
      break;
    case '102':
    case '104':
    case '108': {
      stage = 'shipped';
      eventTime = unixToIso(d.update_time);
      const l = obj(d.logistics_msg);
      Object.assign(extra, receiver(d.receiver_msg), {
        logistics: compact({ intercepted: false, carrier: str(l.express_company_id), trackingNo: str(l.logistics_code) }),
        shippedAt: eventTime,
        flags: tag === '108' ? ['partially_shipped'] : tag === '104' ? ['logistics_changed'] : [],
      });
      break;
    }
    case '103':
      stage = 'completed';
      eventTime = unixToIso(d.complete_time);
      extra.finishedAt = eventTime;
      break;
    case '106':
      stage = 'cancelled';
      eventTime = unixToIso(d.cancel_time);
      break;
    case '109': {
      // 改价 happens only before payment.
      stage = 'pending_payment';
      eventTime = unixToIso(d.modify_time);
      const total = fenToYuan(d.total_amount);
      if (total === null) return { kind: 'error', errors: [{ field: 'data.total_amount', message: 'must be whole fen' }] };
      Object.assign(extra, { total, flags: ['amount_changed'] });
      break;
    }
    default: {
      const s = STATUSLESS[tag]!;
      Object.assign(extra, tag === '105' ? receiver(d.receiver_msg) : {}, { flags: [s.flag], holdReason: s.hold });
      if (tag === '113') Object.assign(extra, { sellerRemark: str(d.remark) ?? '', sellerFlag: int(d.star) });
      eventTime = unixToIso(d.update_time ?? d.apply_time ?? d.agree_time ?? d.success_time);
      // After-sale messages: 200 RefundCreated / 201 RefundAgreed are a refund in progress, 206 is done.
      if (tag === '200' || tag === '201' || tag === '206') extra.refund = compact({ status: tag === '206' ? ('refunded' as const) : ('requested' as const), at: eventTime });
    }
  }

  const mapped = stage ? statusOf(stage) : { status: 'created' as const, stage: undefined };
  const order: PlatformOrder = compact({
    source: 'douyin',
    externalId: pId,
    channel: 'douyin',
    shop: str(d.shop_id),
    createdAt: unixToIso(d.create_time) ?? eventTime ?? receivedAt,
    // Status-less messages carry no update time on purpose: see the doc comment.
    updatedAt: stage ? eventTime : undefined,
    status: mapped.status,
    stage: mapped.stage,
    buyer: {},
    address: {},
    items: [],
    total: '0.00',
    currency: 'CNY',
    presale: false,
    logistics: { intercepted: false },
    platformStatus: code ?? `tag:${tag}`,
    flags: [],
    partial: true,
    ...compact(extra),
  });
  return { kind: 'order', order };
}

/** `receiver_msg{addr, name, encrypt_name, tel, encrypt_tel}`; addr is a JSON string of the address. */
function receiver(v: unknown): Partial<PlatformOrder> {
  if (!isObj(v)) return {};
  let addr: Json = {};
  let rawAddr: string | undefined;
  if (typeof v.addr === 'string') {
    try {
      addr = obj(parseJsonLossless(v.addr));
    } catch {
      rawAddr = str(v.addr); // not JSON: keep the text as given
    }
  } else addr = obj(v.addr);
  const street = regionName(addr.street);
  const detail = str(addr.detail);
  return {
    buyer: compact({ name: str(v.name), phone: str(v.tel) }),
    address: compact({
      province: regionName(addr.province),
      city: regionName(addr.city),
      district: regionName(addr.town),
      detail: rawAddr ?? (street || detail ? `${street ?? ''}${detail ?? ''}` : undefined),
    }),
    receiverCipher: cipher({ name: str(v.encrypt_name), phone: str(v.encrypt_tel), detail: str(addr.encrypt_detail) }),
  };
}
