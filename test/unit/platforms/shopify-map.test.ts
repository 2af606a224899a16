import { mapShopifyOrder } from '../../../src/integrations/platforms/shopify/order-map';
import { graphqlToRest } from '../../../src/integrations/platforms/shopify/graphql-order';
import type { PlatformOrder } from '../../../src/integrations/platforms/common/platform-order';
import { fixture } from './load-fixture';

const orders = fixture<Record<string, Record<string, unknown>>>('shopify', 'orders.json');
const mapped = (o: Record<string, unknown>, shop?: string): PlatformOrder => {
  const r = mapShopifyOrder(o, shop);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.order;
};

describe('Shopify order → internal order', () => {
  it.each<[string, Partial<PlatformOrder>, string[]?]>([
    ['orders/create: paid, unfulfilled, 19-digit id', {
      externalId: '820982911946154508', status: 'paid', total: '403.00', paid: '403.00', currency: 'USD',
      createdAt: '2026-01-08T07:01:02-05:00', updatedAt: '2026-01-08T07:01:05-05:00', platformStatus: 'paid/unfulfilled',
      remark: 'Please gift wrap — urgent', sellerRemark: 'VIP, wholesale', flags: [],
    }, ['stage']],
    ['partially fulfilled, partially refunded', {
      externalId: '450789469', status: 'paid', stage: 'shipped', total: '250.50', flags: ['partially_refunded', 'partially_shipped'],
      logistics: { intercepted: false, carrier: 'SF Express', trackingNo: 'SF1400000000009' }, shippedAt: '2026-01-07T09:00:00+08:00',
    }],
    ['authorized (manual capture)', { status: 'pending_payment', total: '12.50', currency: 'EUR' }, ['paid']],
    ['partially paid', { status: 'partially_paid', total: '100.00', paid: '40.00' }],
    ['cancelled', { status: 'cancelled', platformStatus: 'voided/unfulfilled/cancelled' }, ['paid']],
    ['refunded after fulfilment', { status: 'refunded', stage: 'shipped', total: '0.00' }],
  ])('%s', (name, expected, absent = []) => {
    const o = mapped(orders[name]!, 'example.myshopify.com');
    expect(o).toMatchObject({ source: 'shopify', channel: 'shopify', shop: 'example.myshopify.com', presale: false, ...expected });
    for (const k of absent) expect(o).not.toHaveProperty(k);
  });

  it('maps buyer, address and lines; a line without SKU is named by its variant', () => {
    const o = mapped(orders['orders/create: paid, unfulfilled, 19-digit id']!);
    expect(o.buyer).toEqual({ name: 'John Smith', phone: '555-625-1199' });
    expect(o.address).toEqual({ province: 'Ontario', city: 'Ottawa', detail: '123 Amoebobacterieae St Apt 4' });
    expect(o.items).toEqual([
      { sku: 'IPOD2008PINK', qty: 1, price: '199.00', name: 'IPod Nano - 8GB' },
      { sku: 'variant:49148385', qty: 2, price: '97.00', name: 'IPod Nano - 8GB (red)' },
    ]);
    expect(mapped(orders['authorized (manual capture)']!).items[0]!.sku).toBe('line:10');
  });

  it('falls back to admin_graphql_api_id when id is absent, and refuses a float-rounded order without ids', () => {
    const { id: _id, ...noId } = orders['orders/create: paid, unfulfilled, 19-digit id']!;
    expect(mapped(noId).externalId).toBe('820982911946154508');
    const r = mapShopifyOrder({ created_at: 'soon', total_price: 'x', currency: 'usd' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field)).toEqual(['id', 'created_at', 'total_price', 'currency']);
  });

  it('a GraphQL Admin order node maps to the same order as its webhook payload', () => {
    const node = fixture('shopify', 'graphql-order-node.json');
    const fromPull = mapped(graphqlToRest(node));
    const fromPush = mapped(orders['orders/create: paid, unfulfilled, 19-digit id']!);
    const same = (o: PlatformOrder) => ({ id: o.externalId, status: o.status, total: o.total, paid: o.paid, items: o.items, remark: o.remark, tags: o.sellerRemark, address: o.address, buyer: o.buyer });
    expect(same(fromPull)).toEqual(same(fromPush));
    expect(fromPull.updatedAt).toBe('2026-01-08T12:01:05Z');
  });
});
