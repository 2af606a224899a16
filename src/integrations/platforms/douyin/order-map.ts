import type { ItemError } from '../source';
import { unixToIso } from '../common/china-time';
import { fenToYuan, unitPriceFromFen } from '../../../domain/money';
import {
  arr, compact, int, obj, statusOf, str, type HoldReason, type Json, type MapResult, type PlatformOrder, type PlatformStage,
} from '../common/platform-order';

/** `order_status` → §7.2 stage. 4 (已取消) after payment is a refund. */
export const DOUYIN_STATUS: Record<string, PlatformStage> = {
  '1': 'pending_payment',
  '105': 'pending',
  '2': 'pending',
  '101': 'shipped',
  '3': 'shipped',
  '5': 'completed',
  '4': 'cancelled',
};

export function douyinStage(code: string | undefined, paid: boolean): PlatformStage | undefined {
  const s = code === undefined ? undefined : DOUYIN_STATUS[code];
  return s === 'cancelled' && paid ? 'refunded' : s;
}

/** A region field is `{name, id}` in orders and sometimes a bare string in push messages. */
export const regionName = (v: unknown): string | undefined => (typeof v === 'string' ? str(v) : str(obj(v).name));

/**
 * One `order.searchList` / `order.orderDetail` shop order (§1.7; amounts in fen, times Unix
 * seconds) → the internal order. Receiver fields are kept as given: masked display text where the
 * platform sends it, ciphertexts in receiverCipher.
 */
export function mapDouyinOrder(o: Json): MapResult {
  const errors: ItemError[] = [];
  const need = <T>(field: string, v: T | undefined | null, message = 'is required'): T | undefined => {
    if (v === undefined || v === null) errors.push({ field, message });
    return v ?? undefined;
  };
  const id = need('order_id', str(o.order_id));
  const code = str(o.order_status);
  const paidAt = unixToIso(o.pay_time);
  const stage = need('order_status', douyinStage(code, paidAt !== undefined), `unknown Douyin order_status "${code ?? ''}"`);
  const createdAt = need('create_time', unixToIso(o.create_time), 'must be Unix seconds');
  const total = need('pay_amount', fenToYuan(o.pay_amount ?? 0), 'must be whole fen');

  const items = arr(o.sku_order_list).map((raw, i) => {
    const l = obj(raw);
    const qty = int(l.item_num) ?? 0;
    const sku = str(l.out_sku_id) ?? str(l.sku_id);
    if (!sku) errors.push({ field: `sku_order_list.${i}.sku_id`, message: 'is required' });
    if (qty <= 0) errors.push({ field: `sku_order_list.${i}.item_num`, message: 'must be a positive whole number' });
    return compact({ sku: sku ?? '', qty, price: unitPriceFromFen(l.pay_amount, qty), name: str(l.product_name) });
  });
  if (errors.length > 0 || !id || !stage || !createdAt || total === undefined) return { ok: false, errors };

  const { status, stage: internalStage } = statusOf(stage);
  const presale = [1, 2].includes(int(o.pre_sale_type) ?? 0) || int(o.trade_type) === 2;
  // Deposit presale: what the buyer has paid so far is the sum of the phases with a pay time.
  const phases = arr(o.order_phase_list).map(obj);
  const phasePaid = phases.filter((p) => unixToIso(p.phase_pay_time)).reduce((sum, p) => sum + BigInt(int(p.phase_pay_amount) ?? 0), 0n);
  let paid: string | undefined = status === 'pending_payment' || status === 'cancelled' ? undefined : total;
  let holdReason: HoldReason | undefined;
  if (presale && status === 'pending_payment' && phasePaid > 0n) {
    paid = fenToYuan(phasePaid.toString())!;
    holdReason = 'presale_unpaid';
  }

  const addr = obj(o.post_addr);
  const mask = obj(o.mask_post_addr);
  const street = regionName(mask.street) ?? regionName(addr.street);
  const detail = str(mask.detail) ?? str(addr.detail);
  const logistics = arr(o.logistics_info).map(obj).at(-1);
  const order: PlatformOrder = compact({
    source: 'douyin',
    externalId: id,
    channel: 'douyin',
    shop: str(o.shop_id),
    createdAt,
    updatedAt: unixToIso(o.update_time),
    status,
    stage: internalStage,
    buyer: compact({ name: str(o.mask_post_receiver) ?? str(o.post_receiver), phone: str(o.mask_post_tel) ?? str(o.post_tel) }),
    address: compact({
      province: regionName(addr.province) ?? regionName(mask.province),
      city: regionName(addr.city) ?? regionName(mask.city),
      district: regionName(addr.town) ?? regionName(mask.town),
      detail: street || detail ? `${street ?? ''}${detail ?? ''}` : undefined,
    }),
    items,
    total,
    paid,
    currency: 'CNY',
    remark: str(o.buyer_words),
    sellerRemark: str(o.seller_words),
    presale,
    logistics: compact({ intercepted: false, carrier: str(logistics?.company_name) ?? str(logistics?.company), trackingNo: str(logistics?.tracking_no) }),
    platformStatus: code!,
    holdReason,
    flags: code === '101' ? ['partially_shipped'] : [],
    paidAt,
    shippedAt: unixToIso(logistics?.ship_time),
    finishedAt: unixToIso(o.finish_time),
    shipBy: unixToIso(o.exp_ship_time),
    sellerFlag: int(o.seller_remark_stars),
    receiverCipher: cipher({ name: str(o.encrypt_post_receiver), phone: str(o.encrypt_post_tel), detail: str(addr.encrypt_detail) }),
  });
  return { ok: true, order };
}

export function cipher(c: NonNullable<PlatformOrder['receiverCipher']>): PlatformOrder['receiverCipher'] {
  const kept = compact(c);
  return Object.keys(kept).length > 0 ? kept : undefined;
}
