import { mapTaobaoTrade } from '../../../src/integrations/platforms/taobao/order-map';
import { mapPddOrder } from '../../../src/integrations/platforms/pinduoduo/order-map';
import { mapJdOrder } from '../../../src/integrations/platforms/jd/order-map';
import type { MapResult, PlatformOrder } from '../../../src/integrations/platforms/common/platform-order';
import { fixture } from './load-fixture';

type Cases = Record<string, Record<string, unknown>>;
const ok = (r: MapResult): PlatformOrder => {
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.order;
};
const check = (o: PlatformOrder, expected: Partial<PlatformOrder>, absent: string[] = []) => {
  expect(o).toMatchObject(expected);
  for (const k of absent) expect(o).not.toHaveProperty(k);
};

describe('Taobao trade → internal order', () => {
  const trades = fixture<Cases>('taobao', 'trades.json');
  it.each<[string, Partial<PlatformOrder>, string[]?]>([
    ['paid, waiting to ship, masked receiver with OAID', {
      externalId: '3900000000000000001', shop: '家居旗舰店', status: 'paid', total: '128.50', paid: '128.50', platformStatus: 'WAIT_SELLER_SEND_GOODS',
      createdAt: '2026-01-08T20:01:02+08:00', updatedAt: '2026-01-08T20:01:31+08:00', paidAt: '2026-01-08T20:01:30+08:00',
      remark: '代收，放门卫', sellerRemark: '老客户', sellerFlag: 1, presale: false,
      buyer: { name: '王**', phone: '*******5678' },
      address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '西溪街道文三路**号***' },
      receiverCipher: { oaid: '1pUGs9SsQ4F6tq0gFP1TbnGrGABcOYPQ5aAjJh0ic9hXg4Hk0sVeVpYmXVVdRw5gTTtg6Y9' },
      items: [
        { sku: 'LAMP-01', qty: 1, price: '99.00', name: '护眼台灯' },
        { sku: 'BULB', qty: 2, price: '20.00', name: '灯泡' },
      ],
    }, ['stage', 'holdReason']],
    ['awaiting payment', { status: 'pending_payment' }, ['paid']],
    ['group buy paid, may not ship yet', { status: 'paid', holdReason: 'group_pending' }],
    ['step presale, deposit paid', {
      status: 'pending_payment', presale: true, total: '999.00', paid: '100.00', holdReason: 'presale_unpaid',
      platformStatus: 'WAIT_BUYER_PAY/FRONT_PAID_FINAL_NOPAID',
    }],
    ['step presale, fully paid', { status: 'paid', presale: true, paid: '999.00' }, ['holdReason']],
    ['shipped, buyer asks for a refund (intercept)', { status: 'paid', stage: 'shipped', holdReason: 'intercept', shippedAt: '2026-01-09T08:00:00+08:00' }],
    ['finished with one line refunded', { status: 'completed', stage: 'delivered', flags: ['partially_refunded'], finishedAt: '2026-01-09T10:00:00+08:00' }],
    ['closed after payment (full refund)', { status: 'refunded', flags: [] }],
    ['closed unpaid by Taobao', { status: 'cancelled' }, ['paid']],
  ])('%s', (name, expected, absent = []) => {
    check(ok(mapTaobaoTrade(trades[name]!)), { source: 'taobao', channel: 'taobao', currency: 'CNY', ...expected }, absent);
  });
  it('refuses an unknown status and a sub-fen amount', () => {
    const r = mapTaobaoTrade({ tid: 1, status: 'SOMETHING', created: '2026-01-01 00:00:00', payment: '1.001' });
    expect(r.ok ? [] : r.errors.map((e) => e.field)).toEqual(['status', 'payment']);
  });
});

describe('Pinduoduo order → internal order', () => {
  const orders = fixture<Cases>('pinduoduo', 'orders.json');
  it.each<[string, Partial<PlatformOrder>, string[]?]>([
    ['grouped, paid, waiting to ship', {
      externalId: '260108-123456789012345', status: 'paid', total: '119.90', paid: '119.90', platformStatus: '1/refund=1/confirm=1/group=1/risk=0',
      createdAt: '2026-01-08T20:01:02+08:00', updatedAt: '2026-01-08T20:01:41+08:00', paidAt: '2026-01-08T20:01:40+08:00',
      shipBy: '2026-01-10T20:01:40+08:00', remark: '急 明天要', presale: false,
      buyer: { name: '王*', phone: '138****5678' },
      address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '浙江省杭州市西湖区文三路****' },
      receiverCipher: { name: '~AgAAAAEvYWFh~', phone: '$Ag8AAAB1YmJi$', detail: '~AgAAAAJkZGRk~' },
      items: [
        { sku: 'LAMP-01', qty: 1, price: '99.90', name: '护眼台灯' },
        { sku: 'BULB', qty: 2, price: '15.00', name: '灯泡' },
      ],
    }, ['stage', 'holdReason']],
    ['group still forming', { status: 'paid', holdReason: 'group_pending', total: '9.90' }, ['receiverCipher']],
    ['under risk review', { status: 'paid', holdReason: 'risk_review', total: '2999.00' }],
    ['shipped, refund in progress (intercept)', {
      status: 'paid', stage: 'shipped', holdReason: 'intercept', logistics: { intercepted: false, carrier: '44', trackingNo: 'YT0000000000009' },
    }],
    ['signed for (completed)', { status: 'completed', stage: 'delivered', total: '20.05' }],
    ['refund succeeded', { status: 'refunded' }],
    ['deposit presale', { presale: true, status: 'paid' }],
  ])('%s', (name, expected, absent = []) => {
    check(ok(mapPddOrder(orders[name]!, 'mall-1')), { source: 'pinduoduo', channel: 'pinduoduo', shop: 'mall-1', ...expected }, absent);
  });
  it.each<[string, Record<string, unknown>, string]>([
    ['not yet paid', { confirm_status: 0, order_status: 1 }, 'pending_payment'],
    ['cancelled', { confirm_status: 2, order_status: 1 }, 'cancelled'],
    ['group failed', { confirm_status: 1, group_status: 2, order_status: 1 }, 'cancelled'],
  ])('status edge: %s', (_l, status, expected) => {
    const base = orders['under risk review']!;
    expect(ok(mapPddOrder({ ...base, ...status, risk_control_status: 0 })).status).toBe(expected);
  });
});

describe('JD order → internal order', () => {
  const orders = fixture<Cases>('jd', 'orders.json');
  it.each<[string, Partial<PlatformOrder>, string[]?]>([
    ['paid, waiting to leave the warehouse', {
      externalId: '301234567890', shop: '10086', status: 'paid', total: '128.50', paid: '128.50', platformStatus: 'WAIT_SELLER_STOCK_OUT',
      remark: '要发票，抬头：杭州某某公司', createdAt: '2026-01-08T20:01:02+08:00', paidAt: '2026-01-08T20:01:30+08:00',
      buyer: { name: '王**', phone: '138****5678' },
      address: { province: '浙江', city: '杭州市', district: '西湖区', detail: '浙江杭州市西湖区西溪街道文三路****' },
      items: [
        { sku: 'LAMP-01', qty: 1, price: '99.00', name: '护眼台灯' },
        { sku: '100012345679', qty: 2, price: '20.00', name: '灯泡' },
      ],
    }, ['stage', 'holdReason']],
    ['shipped', { status: 'paid', stage: 'shipped', logistics: { intercepted: false, carrier: '1327', trackingNo: 'JDVA00000000001' } }],
    ['finished', { status: 'completed', stage: 'delivered' }],
    ['cancelled', { status: 'cancelled' }, ['paid']],
    ['locked by JD', { status: 'paid', holdReason: 'platform_hold' }],
  ])('%s', (name, expected, absent = []) => {
    check(ok(mapJdOrder(orders[name]!)), { source: 'jd', channel: 'jd', currency: 'CNY', ...expected }, absent);
  });
});
