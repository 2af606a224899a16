import { mapDouyinOrder } from '../../../src/integrations/platforms/douyin/order-map';
import { mapDouyinPush } from '../../../src/integrations/platforms/douyin/push-map';
import { parseJsonLossless } from '../../../src/integrations/platforms/common/lossless-json';
import type { PlatformOrder } from '../../../src/integrations/platforms/common/platform-order';
import { fixture } from './load-fixture';

const orders = fixture<Record<string, Record<string, unknown>>>('douyin', 'orders.json');
const mapped = (name: string): PlatformOrder => {
  const r = mapDouyinOrder(orders[name]!);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.order;
};

describe('Douyin order (order.searchList item) → internal order', () => {
  it.each<[string, Partial<PlatformOrder>]>([
    ['paid, two lines, masked receiver, urgent buyer note', {
      externalId: '6920000000000000011', shop: '323423', status: 'paid', platformStatus: '2', total: '638.00', paid: '638.00',
      createdAt: '2026-01-08T20:01:02+08:00', updatedAt: '2026-01-08T20:01:45+08:00', paidAt: '2026-01-08T20:01:40+08:00',
      shipBy: '2026-01-10T20:00:00+08:00', remark: '急！10号前送达', presale: false, flags: [],
    }],
    ['awaiting payment', { status: 'pending_payment', paid: undefined, total: '199.00', platformStatus: '1' }],
    ['deposit presale, balance unpaid', {
      status: 'pending_payment', presale: true, total: '999.00', paid: '100.00', holdReason: 'presale_unpaid',
      sellerRemark: '直播间预售', sellerFlag: 3,
    }],
    ['partly shipped', {
      status: 'paid', stage: 'shipped', flags: ['partially_shipped'], shippedAt: '2026-01-09T19:43:20+08:00',
      logistics: { intercepted: false, carrier: '顺丰速运', trackingNo: 'SF1400000000001' },
    }],
    ['completed', { status: 'completed', stage: 'delivered', finishedAt: '2026-01-16T02:00:00+08:00' }],
    ['cancelled after payment (full refund)', { status: 'refunded', platformStatus: '4' }],
    ['cancelled unpaid', { status: 'cancelled', paid: undefined }],
  ])('%s', (name, expected) => {
    const o = mapped(name);
    expect(o).toMatchObject({ source: 'douyin', channel: 'douyin', currency: 'CNY', ...stripUndefined(expected) });
    for (const [k, v] of Object.entries(expected)) if (v === undefined) expect(o).not.toHaveProperty(k);
  });

  it('keeps masked receiver text and ciphertexts exactly as given, never decrypted or guessed', () => {
    const o = mapped('paid, two lines, masked receiver, urgent buyer note');
    expect(o.buyer).toEqual({ name: '王*', phone: '138****5678' });
    expect(o.address).toEqual({ province: '浙江省', city: '杭州市', district: '西湖区', detail: '西溪街道文三路9****' });
    expect(o.receiverCipher).toEqual({
      name: '#Y2lwaGVyLW5hbWU=#AAAA#1##', phone: '$Y2lwaGVyLXRlbA==$AAAA$1$$', detail: '~Y2lwaGVyLWRldGFpbA==~AAAA~1~~',
    });
  });

  it('maps lines: merchant SKU code first, else the 19-digit sku_id exactly; unit price only when exact', () => {
    expect(mapped('paid, two lines, masked receiver, urgent buyer note').items).toEqual([
      { sku: 'LAMP-01', qty: 1, price: '599.00', name: '护眼台灯' },
      { sku: '1780000000000000002', qty: 3, price: '13.00', name: '灯泡' },
    ]);
  });

  it('refuses an order it cannot map, naming the fields', () => {
    const r = mapDouyinOrder({ order_id: '1', order_status: 77, create_time: 'x', pay_amount: 1.5, sku_order_list: [{ item_num: 0 }] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => e.field).sort()).toEqual(
        ['create_time', 'order_status', 'pay_amount', 'sku_order_list.0.item_num', 'sku_order_list.0.sku_id'].sort(),
      );
    }
  });
});

describe('Douyin push message → partial order', () => {
  const messages = fixture<{ tag: string; msg_id: string; data: string }[]>('douyin', 'push-messages.json');
  const byTag = (tag: string) => {
    const m = messages.find((x) => x.tag === tag)!;
    return mapDouyinPush({ tag, msgId: m.msg_id, data: parseJsonLossless(m.data) as Record<string, unknown> }, '2026-01-08T21:00:00+08:00');
  };
  const order = (tag: string): PlatformOrder => {
    const r = byTag(tag);
    if (r.kind !== 'order') throw new Error(JSON.stringify(r));
    return r.order;
  };

  it.each<[string, string, Partial<PlatformOrder>]>([
    ['100', 'created → pending_payment', {
      externalId: '6920000000000000011', status: 'pending_payment', platformStatus: '1', createdAt: '2026-01-08T20:01:02+08:00',
      updatedAt: '2026-01-08T20:01:02+08:00', total: '0.00', shop: '323423',
    }],
    ['101', 'paid with the amount in yuan', {
      status: 'paid', platformStatus: '2', total: '638.00', paid: '638.00', paidAt: '2026-01-08T20:01:40+08:00',
      updatedAt: '2026-01-08T20:01:40+08:00', createdAt: '2026-01-08T20:01:40+08:00',
    }],
    ['110', 'paid, to handle: no time, so it only seeds; createdAt is the receipt time', {
      status: 'created', platformStatus: '2', createdAt: '2026-01-08T21:00:00+08:00', updatedAt: undefined, flags: ['paid_pending_handling'],
    }],
    ['102', 'shipped, with tracking and the masked receiver', {
      status: 'paid', stage: 'shipped', shippedAt: '2026-01-09T20:00:00+08:00',
      logistics: { intercepted: false, carrier: 'shunfeng', trackingNo: 'SF1400000000001' },
      buyer: { name: '王*', phone: '138****5678' }, receiverCipher: { detail: '~ZGV0YWls~AAAA~1~~' },
    }],
    ['108', 'partly shipped', { externalId: '6920000000000000041', stage: 'shipped', flags: ['partially_shipped'] }],
    ['103', 'completed', { status: 'completed', stage: 'delivered', finishedAt: '2026-01-16T02:00:00+08:00' }],
    ['106', 'cancelled', { externalId: '6920000000000000071', status: 'cancelled', updatedAt: '2026-01-08T21:46:40+08:00' }],
    ['109', 'repriced before payment', { externalId: '6920000000000000021', status: 'pending_payment', total: '189.00', flags: ['amount_changed'] }],
    ['105', 'address changed: new region kept, detail masked as given, no status', {
      status: 'created', updatedAt: undefined, flags: ['address_changed'],
      address: { province: '江苏省', city: '南京市', district: '玄武区', detail: '中山路1**号' },
      receiverCipher: { name: '#bmFtZQ==#AAAA#1##', phone: '$dGVs$AAAA$1$$', detail: '~bmV3LWRldGFpbA==~AAAA~1~~' },
    }],
    ['113', 'seller memo', { status: 'created', updatedAt: undefined, sellerRemark: '需开发票', sellerFlag: 2, flags: ['memo_changed'] }],
    ['200', 'refund requested → hold', { status: 'created', holdReason: 'refund_pending', flags: ['refund_requested'] }],
    ['206', 'refund succeeded (one line; the order may not be fully refunded)', { status: 'created', flags: ['refund_succeeded'] }],
  ])('tag %s: %s', (tag, _label, expected) => {
    const o = order(tag);
    expect(o).toMatchObject({ source: 'douyin', partial: true, ...stripUndefined(expected) });
    for (const [k, v] of Object.entries(expected)) if (v === undefined) expect(o).not.toHaveProperty(k);
  });

  it('skips the verification message and tags that are not order events', () => {
    expect(byTag('0')).toEqual({ kind: 'skip', reason: 'push verification message' });
    expect(byTag('302')).toMatchObject({ kind: 'skip' });
  });

  it('refuses an order message without p_id or with a fractional amount', () => {
    expect(mapDouyinPush({ tag: '106', msgId: '1', data: {} }, '2026-01-08T21:00:00+08:00')).toMatchObject({ kind: 'error' });
    expect(mapDouyinPush({ tag: '101', msgId: '1', data: { p_id: '1', pay_amount: 1.5 } }, '2026-01-08T21:00:00+08:00')).toMatchObject({
      kind: 'error', errors: [{ field: 'data.pay_amount' }],
    });
  });
});

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
