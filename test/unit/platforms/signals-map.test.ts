/**
 * Which platform signals each adapter maps — ship-by, hold, refund, VIP, presale — from payloads in
 * each platform's documented shape (shop-platforms.md, ops-signals-and-calendar.md §2–3). What a
 * platform does not provide stays absent (the README's table says so per platform).
 */
import { mapTaobaoTrade } from '../../../src/integrations/platforms/taobao/order-map';
import { mapTmcMessage, readTmcMessage, type TmcMessage } from '../../../src/integrations/platforms/taobao/tmc';
import { mapPddOrder } from '../../../src/integrations/platforms/pinduoduo/order-map';
import { mapPmcMessage, readPmcFrame } from '../../../src/integrations/platforms/pinduoduo/pmc';
import { mapDouyinOrder } from '../../../src/integrations/platforms/douyin/order-map';
import { mapDouyinPush } from '../../../src/integrations/platforms/douyin/push-map';
import { mapJdOrder } from '../../../src/integrations/platforms/jd/order-map';
import { mapShopifyOrder, mapShopifyRefund } from '../../../src/integrations/platforms/shopify/order-map';
import { graphqlToRest } from '../../../src/integrations/platforms/shopify/graphql-order';
import { parseGenericOrder } from '../../../src/integrations/platforms/generic/generic-order';
import type { MapResult, PlatformOrder } from '../../../src/integrations/platforms/common/platform-order';

const ok = (r: MapResult): PlatformOrder => {
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.order;
};
const signals = (o: PlatformOrder) => ({ channel: o.channel, shipBy: o.shipBy, holdReason: o.holdReason, refund: o.refund, vip: o.buyer.vip, presale: o.presale });

const taobao = (over: Record<string, unknown>, lines: Record<string, unknown>[] = [{}]) => ok(mapTaobaoTrade({
  tid: '3900000000000000001', status: 'WAIT_SELLER_SEND_GOODS', created: '2026-01-08 20:01:02', pay_time: '2026-01-08 20:01:30',
  modified: '2026-01-08 21:00:00', payment: '99.00', seller_nick: '家居旗舰店',
  orders: { order: lines.map((l, i) => ({ oid: String(i + 1), num: 1, outer_sku_id: `SKU${i}`, price: '99.00', ...l })) }, ...over,
}));

describe('Taobao / Tmall', () => {
  it.each<[string, PlatformOrder, Partial<ReturnType<typeof signals>>]>([
    ['sub-order delivery_time (最晚发货时间), earliest wins', taobao({}, [{ delivery_time: '2026-01-10 20:00:00' }, { delivery_time: '2026-01-10 12:00:00' }]),
      { channel: 'taobao', shipBy: '2026-01-10T12:00:00+08:00', refund: undefined, vip: undefined, presale: false }],
    ['consign_due_time 2_<days> after payment', taobao({}, [{ consign_due_time: '2_3' }]), { shipBy: '2026-01-11T20:01:30+08:00' }],
    ['consign_due_time 1_<absolute>', taobao({}, [{ consign_due_time: '1_2026-01-12 18:00:00' }]), { shipBy: '2026-01-12T18:00:00+08:00' }],
    ['Tmall by 天猫时效承诺', taobao({}, [{ timing_promise: 'tmallPromise' }]), { channel: 'tmall', shipBy: undefined }],
    ['refund requested on a sub-order: hold, refund requested', taobao({}, [{ refund_status: 'WAIT_SELLER_AGREE' }]),
      { holdReason: 'refund_pending', refund: { status: 'requested', at: '2026-01-08T21:00:00+08:00' } }],
    ['refund refused by the seller', taobao({}, [{ refund_status: 'SELLER_REFUSE_BUYER' }]), { refund: { status: 'rejected', at: '2026-01-08T21:00:00+08:00' } }],
    ['presale (step) with its send_time', taobao({ type: 'step', step_trade_status: 'FRONT_PAID_FINAL_PAID', send_time: '2026-02-01 00:00:00' }), { presale: true, shipBy: '2026-02-01T00:00:00+08:00' }],
  ])('%s', (_n, order, expected) => expect(signals(order)).toMatchObject(expected));

  const tmc = (topic: string): TmcMessage => {
    const m = readTmcMessage({ id: 1, topic, pub_time: '2026-01-09 08:00:00', content: '{"tid":3900000000000000001,"refund_id":77,"modified":"2026-01-09 07:59:00"}' });
    if ('errors' in m) throw new Error('bad');
    return m;
  };
  it.each([
    ['taobao_refund_RefundCreated', 'requested'],
    ['taobao_refund_RefundSellerAgreeAgreement', 'requested'],
    ['taobao_refund_RefundSellerRefuseAgreement', 'rejected'],
    ['taobao_refund_RefundClosed', 'withdrawn'],
    ['taobao_refund_RefundSuccess', 'refunded'],
  ])('TMC %s → refund %s', (topic, status) => {
    expect(mapTmcMessage(tmc(topic), '2026-01-09T00:00:00Z')).toMatchObject({ kind: 'order', order: { refund: { status, at: '2026-01-09T07:59:00+08:00' }, partial: true } });
  });
});

describe('Pinduoduo', () => {
  const pdd = (over: Record<string, unknown>) => ok(mapPddOrder({
    order_sn: '260108-0001', order_status: 1, confirm_status: 1, group_status: 1, refund_status: 1, created_time: '2026-01-08 20:01:02',
    confirm_time: '2026-01-08 20:01:30', pay_amount: 59, item_list: [{ outer_id: 'LAMP-01', goods_count: 1, goods_price: 59 }], ...over,
  }, 'pdd-shop'));
  it.each<[string, PlatformOrder, Partial<ReturnType<typeof signals>>]>([
    ['last_ship_time', pdd({ last_ship_time: '2026-01-10 20:01:30' }), { shipBy: '2026-01-10T20:01:30+08:00', refund: undefined, vip: undefined, presale: false }],
    ['presale ship time', pdd({ is_pre_sale: 1, pre_sale_time: '2026-02-01 00:00:00' }), { presale: true, shipBy: '2026-02-01T00:00:00+08:00' }],
    ['退款中', pdd({ refund_status: 3 }), { holdReason: 'refund_pending', refund: { status: 'requested' } }],
    ['risk control hold', pdd({ risk_control_status: 1 }), { holdReason: 'risk_review' }],
  ])('%s', (_n, order, expected) => expect(signals(order)).toMatchObject(expected));

  it.each([['pdd_refund_RefundCreated', 'requested'], ['pdd_refund_RefundClosed', 'withdrawn']])('message %s → refund %s', (type, status) => {
    const r = readPmcFrame(JSON.stringify({ id: 5, commandType: 'Common', time: 1, sendTime: 1, message: { type, mallID: 9, content: '{"tid":"260108-0001"}' } }));
    if (r.kind !== 'message') throw new Error('not a message');
    expect(mapPmcMessage(r.frame, 'pdd-shop', '2026-01-09T00:00:00Z')).toMatchObject({ kind: 'order', order: { refund: { status } } });
  });
});

describe('Douyin', () => {
  it('maps exp_ship_time and presale from the order; refunds come from after-sale pushes', () => {
    const o = ok(mapDouyinOrder({
      order_id: '6920000000000000001', order_status: 2, create_time: 1767873662, pay_time: 1767873690, exp_ship_time: 1768046490,
      pay_amount: 59900, pre_sale_type: 1, sku_order_list: [{ out_sku_id: 'LAMP-01', item_num: 1, pay_amount: 59900 }],
    }));
    expect(signals(o)).toMatchObject({ shipBy: '2026-01-10T20:01:30+08:00', presale: true, refund: undefined, vip: undefined });
    for (const [tag, status] of [['200', 'requested'], ['201', 'requested'], ['206', 'refunded']]) {
      const r = mapDouyinPush({ tag: tag!, msgId: '1', data: { p_id: '6920000000000000001', aftersale_id: '1', apply_time: 1767960000 } }, '2026-01-09T00:00:00Z');
      expect(r).toMatchObject({ kind: 'order', order: { refund: { status, at: '2026-01-09T20:00:00+08:00' } } });
    }
  });
});

describe('JD', () => {
  it('gives no ship-by, refund, VIP or presale; a paused order is held', () => {
    const o = ok(mapJdOrder({ orderId: '30001', orderState: 'PAUSE', orderStartTime: '2026-01-08 20:01:02', paymentConfirmTime: '2026-01-08 20:01:30', orderPayment: '59.00', itemInfoList: [{ outerSkuId: 'LAMP-01', itemTotal: 1 }] }));
    expect(signals(o)).toEqual({ channel: 'jd', shipBy: undefined, holdReason: 'platform_hold', refund: undefined, vip: undefined, presale: false });
    expect(o.paidAt).toBe('2026-01-08T20:01:30+08:00');
  });
});

describe('Shopify', () => {
  const order = { id: '820982911946154508', created_at: '2026-01-08T12:00:00-05:00', total_price: '59.00', currency: 'USD', financial_status: 'paid', line_items: [{ sku: 'LAMP-01', quantity: 1, price: '59.00' }] };
  it('VIP by customer tag; ship-by only through the GraphQL pull (FulfillmentOrder.fulfillBy)', () => {
    expect(signals(ok(mapShopifyOrder({ ...order, customer: { tags: 'wholesale, VIP' } })))).toMatchObject({ vip: true, shipBy: undefined, presale: false });
    const pulled = graphqlToRest({
      legacyResourceId: '820982911946154508', createdAt: '2026-01-08T12:00:00-05:00', displayFinancialStatus: 'PAID', currencyCode: 'USD',
      totalPriceSet: { shopMoney: { amount: '59.00' } }, lineItems: { nodes: [{ sku: 'LAMP-01', quantity: 1 }] },
      fulfillmentOrders: { nodes: [{ status: 'OPEN', fulfillBy: '2026-01-11T00:00:00Z' }, { status: 'CLOSED', fulfillBy: '2026-01-09T00:00:00Z' }] },
    });
    expect(ok(mapShopifyOrder(pulled)).shipBy).toBe('2026-01-11T00:00:00Z');
  });
  it('refunds/create records a refund on the order it names', () => {
    expect(ok(mapShopifyRefund({ id: 1, order_id: 820982911946154508n.toString(), created_at: '2026-01-09T10:00:00-05:00' }, 'shop.example.com', '2026-01-09T15:00:00Z')))
      .toMatchObject({ externalId: '820982911946154508', partial: true, refund: { status: 'refunded', at: '2026-01-09T10:00:00-05:00' } });
  });
});

describe('generic (mini-program, ERP)', () => {
  it('takes paid_at, ship_by, shipped_at, refund, buyer.vip and presale', () => {
    const r = parseGenericOrder({
      id: 'MP-1', channel: 'miniapp', created_at: '2026-01-08T20:01:02+08:00', status: 'paid', items: [{ sku: 'A', qty: 1 }], total: '1.00',
      paid_at: '2026-01-08T20:01:30+08:00', ship_by: '2026-01-10T20:01:30+08:00', refund: { status: 'requested' }, buyer: { vip: true }, presale: true,
    });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.order).toMatchObject({ paidAt: '2026-01-08T20:01:30+08:00', shipBy: '2026-01-10T20:01:30+08:00', refund: { status: 'requested' }, buyer: { vip: true }, presale: true });
    expect(parseGenericOrder({ id: 'X', created_at: '2026-01-08T20:01:02+08:00', status: 'paid', items: [{ sku: 'A', qty: 1 }], total: '1', refund: { status: 'maybe' } }))
      .toMatchObject({ ok: false, errors: [{ field: 'refund.status' }] });
  });
});
