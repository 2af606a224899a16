import nock from 'nock';
import { apiSign } from '../../../src/integrations/platforms/douyin/sign';
import { topSign } from '../../../src/integrations/platforms/taobao/sign';
import { pddSign } from '../../../src/integrations/platforms/pinduoduo/sign';
import { jdSign } from '../../../src/integrations/platforms/jd/sign';
import { douyinShopPort } from '../../../src/integrations/platforms/douyin/shop-port';
import { taobaoShopPort } from '../../../src/integrations/platforms/taobao/shop-port';
import { pddShopPort } from '../../../src/integrations/platforms/pinduoduo/shop-port';
import { jdShopPort } from '../../../src/integrations/platforms/jd/shop-port';
import { shopifyShopPort } from '../../../src/integrations/platforms/shopify/shop-port';
import { erpWebhookPort, signOutbound } from '../../../src/integrations/outbound/erp-webhook';
import { ShopPushError, type ListingPage, type PushTarget, type ShopPort } from '../../../src/domain/shop/shop-port';

// Each adapter against nock in the platform's documented request and response shapes
// (reference/shop-push-apis.md): the signed call it makes, and how it reads the answer and errors.

const NOW = new Date('2026-01-08T12:00:00Z');
const now = () => NOW;
const form = (body: unknown): Record<string, string> =>
  typeof body === 'string' ? Object.fromEntries(new URLSearchParams(body)) : (body as Record<string, string>);

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const target = (over: Partial<PushTarget> = {}): PushTarget => ({
  sku: 'LAMP-01', platform: 'x', shop: 's', ref: null, lastStock: null, lastPrice: null, pushKey: 'price-1-0', ...over,
});

async function pushError(p: Promise<unknown>): Promise<ShopPushError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ShopPushError);
    return e as ShopPushError;
  }
  throw new Error('expected the push to fail');
}

async function pages(port: ShopPort): Promise<ListingPage[]> {
  const out: ListingPage[] = [];
  for await (const p of port.readListings!()) out.push(p);
  return out;
}

describe('Douyin /sku/editPrice, /sku/syncStock, /product/listV2 → /product/detail', () => {
  const creds = { baseUrl: 'https://douyin.test', appKey: '3409409348479354011', appSecret: '2ad2355c-01d0-11f8-91dc-05a8cd1054b1', accessToken: 'tok', now };
  const port = douyinShopPort(creds);
  const calls: { method: string; params: Record<string, unknown> }[] = [];
  const answer = (data: unknown, code = 10000, msg = 'success', sub_msg = '', sub_code = '') => ({ code, msg, sub_code, sub_msg, data });
  const fake = (path: string, reply: (p: Record<string, unknown>) => unknown) =>
    nock('https://douyin.test').post(path).query(true).reply(function (uri) {
      const q = Object.fromEntries(new URL(uri, 'https://douyin.test').searchParams);
      expect(q.sign).toBe(apiSign({ ...creds, method: q.method!, paramJson: q.param_json!, timestamp: q.timestamp!, v: '2' }));
      const params = JSON.parse(q.param_json!);
      calls.push({ method: q.method!, params });
      return [200, reply(params)];
    });
  beforeEach(() => { calls.length = 0; });

  it('sets the price in fen by product_id and sku_id, and the stock as a full figure (incremental false)', async () => {
    fake('/sku/editPrice', () => answer({}));
    fake('/sku/syncStock', () => answer({}));
    const t = target({ ref: { productId: '3600000000001', skuId: '1700000000001' } });
    await port.setPrice(t, '599.00');
    await port.setStock(t, 30);
    expect(calls).toEqual([
      { method: 'sku.editPrice', params: { product_id: '3600000000001', sku_id: '1700000000001', price: 59900 } },
      { method: 'sku.syncStock', params: { product_id: '3600000000001', sku_id: '1700000000001', stock_num: 30, incremental: false } },
    ]);
  });

  it.each([
    ['throttled', answer(null, 50002, '服务繁忙', '访问太频繁，触发限流', 'isp.too-many-requests')],
    ['transient', answer(null, 50000, '服务端异常', '系统错误', 'isp.service-error')],
    ['permanent', answer(null, 40004, '参数错误', '价格超出范围', 'isv.invalid-parameter')],
  ])('maps an answer to %s by its table, keeping the platform text', async (kind, body) => {
    fake('/sku/editPrice', () => body);
    const e = await pushError(port.setPrice(target({ ref: { productId: '1', skuId: '2' } }), '1.00'));
    expect(e.kind).toBe(kind);
    expect(e.platformMessage).toBe((body as { sub_msg: string }).sub_msg);
  });

  it('refuses without the product id (pull the listings first) and makes no call', async () => {
    const e = await pushError(port.setStock(target(), 5));
    expect(e).toMatchObject({ kind: 'permanent', code: 'orderops_listing_ids_missing' });
    expect(calls).toEqual([]);
  });

  it('reads listings: products page by page, each product detail spec_prices by merchant code', async () => {
    fake('/product/listV2', (p) => answer({ data: [{ product_id: 3600000000001 }, { product_id: 3600000000002 }], total: 2, page: p.page, size: 100 }));
    fake('/product/detail', (p) => answer({ product_id: p.product_id, spec_prices: [{ sku_id: 1700000000001, code: 'LAMP-01', price: 89900, stock_num: 70 }] }));
    fake('/product/detail', () => answer({ spec_prices: [{ sku_id: 1700000000009, code: '', price: 100, stock_num: 1 }, { sku_id: 1700000000002, code: 'DESK-02', price: 19900, stock_num: 5 }] }));
    const got = await pages(port);
    expect(got).toEqual([{
      calls: 3,
      listings: [
        { merchantCode: 'LAMP-01', stock: 70, price: '899.00', ref: { productId: '3600000000001', skuId: '1700000000001' } },
        { merchantCode: 'DESK-02', stock: 5, price: '199.00', ref: { productId: '3600000000002', skuId: '1700000000002' } },
      ],
    }]);
  });
});

describe('Taobao taobao.item.sku.price.update, taobao.item.quantity.update, items.onsale.get → item.seller.get', () => {
  const creds = { baseUrl: 'https://taobao.test/router/rest', appKey: '12345678', appSecret: 'helloworld', session: 'sess', now };
  const port = taobaoShopPort(creds);
  const seen: Record<string, string>[] = [];
  const fake = (reply: (p: Record<string, string>) => unknown, times = 1) =>
    nock('https://taobao.test').post('/router/rest').times(times).reply(function (_u, body) {
      const p = form(body);
      const { sign, ...rest } = p;
      expect(sign).toBe(topSign(rest, 'helloworld', 'hmac-sha256'));
      seen.push(rest);
      return [200, reply(p)];
    });
  beforeEach(() => { seen.length = 0; });

  it('prices a SKU by num_iid and its properties (no sku_id parameter), in yuan; sets stock with type 1 (full)', async () => {
    fake(() => ({ item_sku_price_update_response: { sku: { num_iid: 520000000001, modified: '2026-01-08 20:00:00' } } }));
    fake(() => ({ item_quantity_update_response: { item: { num_iid: 520000000001, num: 30 } } }));
    const t = target({ ref: { productId: '520000000001', skuId: '4400000000001', properties: '1627207:3232483' } });
    await port.setPrice(t, '599.00');
    await port.setStock(t, 30);
    expect(seen[0]).toMatchObject({ method: 'taobao.item.sku.price.update', num_iid: '520000000001', properties: '1627207:3232483', price: '599.00', session: 'sess' });
    expect(seen[0]).not.toHaveProperty('sku_id');
    expect(seen[1]).toMatchObject({ method: 'taobao.item.quantity.update', num_iid: '520000000001', sku_id: '4400000000001', quantity: '30', type: '1' });
  });

  it.each([
    ['throttled', { code: 7, msg: 'App Call Limited', sub_code: 'accesscontrol.limited-by-app-access-count', sub_msg: 'This ban will last for 1 more seconds' }],
    ['transient', { code: 15, msg: 'Remote service error', sub_code: 'isp.top-remote-connection-timeout', sub_msg: '远程服务超时' }],
    ['permanent', { code: 15, msg: 'Remote service error', sub_code: 'isv.item-sku-price-update-error', sub_msg: 'sku价格必须在商品价格区间内' }],
  ])('maps an error_response to %s', async (kind, err) => {
    fake(() => ({ error_response: err }));
    const e = await pushError(port.setPrice(target({ ref: { productId: '1', properties: '1:2' } }), '1.00'));
    expect(e.kind).toBe(kind);
    expect(e.platformMessage).toBe(err.sub_msg);
  });

  it('needs the SKU properties to price it', async () => {
    expect((await pushError(port.setPrice(target({ ref: { productId: '1', skuId: '2' } }), '1.00'))).code).toBe('orderops_listing_ids_missing');
  });

  it('reads listings: items on sale, then each item with its skus (outer_id, properties, price, quantity)', async () => {
    fake((p) => p.method === 'taobao.items.onsale.get'
      ? { items_onsale_get_response: { total_results: 1, items: { item: [{ num_iid: 520000000001 }] } } }
      : { item_seller_get_response: { item: { num_iid: 520000000001, skus: { sku: [{ sku_id: 4400000000001, outer_id: 'LAMP-01', properties: '1627207:3232483', price: '899.00', quantity: 12 }] } } } }, 2);
    const got = await pages(port);
    expect(got[0]!.listings).toEqual([{ merchantCode: 'LAMP-01', stock: 12, price: '899.00', ref: { productId: '520000000001', skuId: '4400000000001', properties: '1627207:3232483' } }]);
    expect(seen.map((s) => s.method)).toEqual(['taobao.items.onsale.get', 'taobao.item.seller.get']);
  });
});

describe('Pinduoduo pdd.goods.sku.price.update, pdd.goods.quantity.update, goods.list.get → goods.detail.get', () => {
  const creds = { baseUrl: 'https://pdd.test/api/router', clientId: 'cid', clientSecret: 'testSecret', accessToken: 'tok', now };
  const port = pddShopPort(creds);
  const seen: Record<string, string>[] = [];
  const fake = (reply: (p: Record<string, string>) => unknown, times = 1) =>
    nock('https://pdd.test').post('/api/router').times(times).reply(function (_u, body) {
      const p = form(body);
      const { sign, ...rest } = p;
      expect(sign).toBe(pddSign(rest, 'testSecret'));
      seen.push(rest);
      return [200, reply(p)];
    });
  beforeEach(() => { seen.length = 0; });

  it('sets the group price and keeps the single-buy price its gap above, in fen; stock with update_type 1', async () => {
    fake(() => ({ goods_update_sku_price_response: { is_success: true } }));
    fake(() => ({ goods_quantity_update_response: { is_success: true } }));
    const t = target({ ref: { productId: '880000001', skuId: '990000001', singlePrice: '929.00' }, lastPrice: '899.00' });
    await port.setPrice(t, '599.00');
    await port.setStock(t, 30);
    expect(seen[0]).toMatchObject({ type: 'pdd.goods.sku.price.update', goods_id: '880000001' });
    expect(JSON.parse(seen[0]!.sku_price_list!)).toEqual([{ sku_id: 990000001, group_price: 59900, single_price: 62900 }]);
    expect(seen[1]).toMatchObject({ type: 'pdd.goods.quantity.update', goods_id: '880000001', sku_id: '990000001', quantity: '30', update_type: '1' });
  });

  it.each([
    ['throttled', { error_code: 70031, error_msg: '调用过于频繁，请调整调用频率' }],
    ['permanent', { error_code: 10000, error_msg: '参数错误', sub_msg: '活动中商品不能减库存' }],
  ])('maps an error_response to %s', async (kind, err) => {
    fake(() => ({ error_response: err }));
    const e = await pushError(port.setStock(target({ ref: { productId: '1', skuId: '2' } }), 1));
    expect(e.kind).toBe(kind);
  });

  it('reads listings with group price (multi_price) and single price (price), by out_sku_sn', async () => {
    fake((p) => p.type === 'pdd.goods.list.get'
      ? { goods_list_get_response: { total_count: 1, goods_list: [{ goods_id: 880000001 }] } }
      : { goods_detail_get_response: { goods_id: 880000001, sku_list: [{ sku_id: 990000001, out_sku_sn: 'LAMP-01', multi_price: 89900, price: 92900, quantity: 40 }] } }, 2);
    expect((await pages(port))[0]!.listings).toEqual([
      { merchantCode: 'LAMP-01', stock: 40, price: '899.00', ref: { productId: '880000001', skuId: '990000001', singlePrice: '929.00' } },
    ]);
  });
});

describe('JD jingdong.price.write.updateSkuJdPrice, jingdong.stock.write.updateSkuStock, jingdong.sku.read.searchSkuList', () => {
  const creds = { baseUrl: 'https://jd.test/routerjson', appKey: 'yourappkey', appSecret: 'yourappSecret', accessToken: 'tok', now };
  const port = jdShopPort(creds);
  const seen: { method: string; business: Record<string, unknown> }[] = [];
  const fake = (reply: (method: string) => unknown) =>
    nock('https://jd.test').post('/routerjson').reply(function (_u, body) {
      const p = form(body);
      const { sign, ...rest } = p;
      expect(sign).toBe(jdSign(rest, 'yourappSecret'));
      seen.push({ method: p.method!, business: JSON.parse(p['360buy_param_json']!) });
      return [200, reply(p.method!)];
    });
  beforeEach(() => { seen.length = 0; });

  it('sets jdPrice in yuan and stockNum by skuId', async () => {
    fake(() => ({ jingdong_price_write_updateSkuJdPrice_responce: { code: '0', success: true } }));
    fake(() => ({ jingdong_stock_write_updateSkuStock_responce: { code: '0', success: true } }));
    const t = target({ ref: { skuId: '100012345678' } });
    await port.setPrice(t, '599.00');
    await port.setStock(t, 30);
    expect(seen).toEqual([
      { method: 'jingdong.price.write.updateSkuJdPrice', business: { skuId: '100012345678', jdPrice: '599.00' } },
      { method: 'jingdong.stock.write.updateSkuStock', business: { skuId: '100012345678', stockNum: 30 } },
    ]);
  });

  it('a refusal inside a successful answer is permanent, with JD\'s words (价格超出范围)', async () => {
    fake(() => ({ jingdong_price_write_updateSkuJdPrice_responce: { code: '0', success: false, message: '价格超出范围' } }));
    const e = await pushError(port.setPrice(target({ ref: { skuId: '1' } }), '1.00'));
    expect(e).toMatchObject({ kind: 'permanent', platformMessage: '价格超出范围' });
  });

  it('a gateway error_response about call frequency is throttled', async () => {
    fake(() => ({ error_response: { code: '19', zh_desc: '调用频率超限，请稍后再试（限流）', en_desc: 'call limited' } }));
    expect((await pushError(port.setStock(target({ ref: { skuId: '1' } }), 1))).kind).toBe('throttled');
  });

  it('reads listings from page.data by outerId', async () => {
    fake(() => ({ jingdong_sku_read_searchSkuList_responce: { code: '0', page: { totalItem: 1, pageNo: 1, data: [{ skuId: 100012345678, wareId: 100000001, outerId: 'LAMP-01', jdPrice: '899.00', stockNum: 9 }] } } }));
    expect((await pages(port))[0]!.listings).toEqual([{ merchantCode: 'LAMP-01', stock: 9, price: '899.00', ref: { skuId: '100012345678', productId: '100000001' } }]);
  });
});

describe('Shopify productVariantsBulkUpdate, inventorySetQuantities, productVariants', () => {
  const port = shopifyShopPort({ baseUrl: 'https://shop.test', accessToken: 'shpat', apiVersion: '2025-01' });
  const bodies: { query: string; variables: Record<string, any> }[] = [];
  const fake = (reply: (b: { query: string; variables: Record<string, any> }) => unknown) =>
    nock('https://shop.test', { reqheaders: { 'x-shopify-access-token': 'shpat' } }).post('/admin/api/2025-01/graphql.json').reply(function (_u, body) {
      const b = body as { query: string; variables: Record<string, any> };
      bodies.push(b);
      return [200, reply(b)];
    });
  beforeEach(() => { bodies.length = 0; });
  const ref = { productId: 'gid://shopify/Product/1', variantId: 'gid://shopify/ProductVariant/11', inventoryItemId: 'gid://shopify/InventoryItem/111', locationId: 'gid://shopify/Location/9' };

  it('prices a variant through productVariantsBulkUpdate', async () => {
    fake(() => ({ data: { productVariantsBulkUpdate: { productVariants: [{ id: ref.variantId, price: '599.00' }], userErrors: [] } } }));
    await port.setPrice(target({ ref }), '599.00');
    expect(bodies[0]!.query).toContain('productVariantsBulkUpdate');
    expect(bodies[0]!.variables).toEqual({ productId: ref.productId, variants: [{ id: ref.variantId, price: '599.00' }] });
  });

  it('sets available stock with compareQuantity; when stale, reads the current figure and sets against it', async () => {
    fake(() => ({ data: { inventorySetQuantities: { inventoryAdjustmentGroup: null, userErrors: [{ field: ['input'], message: 'The compareQuantity value does not match', code: 'COMPARE_QUANTITY_STALE' }] } } }));
    fake(() => ({ data: { productVariant: { inventoryQuantity: 41 } } }));
    fake(() => ({ data: { inventorySetQuantities: { inventoryAdjustmentGroup: { reason: 'correction' }, userErrors: [] } } }));
    await port.setStock(target({ ref, lastStock: 40 }), 30);
    expect(bodies[0]!.variables.input).toEqual({ name: 'available', reason: 'correction', quantities: [{ inventoryItemId: ref.inventoryItemId, locationId: ref.locationId, quantity: 30, compareQuantity: 40 }] });
    expect(bodies[2]!.variables.input.quantities[0].compareQuantity).toBe(41);
  });

  it('THROTTLED waits as long as the cost bucket needs to refill', async () => {
    fake(() => ({ errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }], extensions: { cost: { requestedQueryCost: 10, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 0, restoreRate: 50 } } } }));
    const e = await pushError(port.setPrice(target({ ref }), '1.00'));
    expect(e).toMatchObject({ kind: 'throttled' });
    expect(e.retryAfterMs).toBe(1000);
  });

  it('reads variants with sku, price, quantity, product, inventory item and its location', async () => {
    fake(() => ({ data: { productVariants: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [
      { id: ref.variantId, sku: 'LAMP-01', price: '899.00', inventoryQuantity: 7, product: { id: ref.productId }, inventoryItem: { id: ref.inventoryItemId, inventoryLevels: { nodes: [{ location: { id: ref.locationId } }] } } },
    ] } } }));
    expect((await pages(port))[0]!.listings).toEqual([{ merchantCode: 'LAMP-01', stock: 7, price: '899.00', ref }]);
  });
});

describe('the seller\'s webhook (price.set / stock.set)', () => {
  const port = erpWebhookPort({ url: 'https://erp.test/hook', secret: 's3cret', now }, 'generic');
  it('posts a signed event whose id is the push key, and a 4xx is a permanent refusal', async () => {
    let got: { body: string; headers: Record<string, string> } | undefined;
    nock('https://erp.test').post('/hook').reply(function (_u, body) {
      got = { body: JSON.stringify(body), headers: this.req.headers as Record<string, string> };
      return [204, ''];
    });
    await port.setPrice(target({ pushKey: 'price-7-0' }), '599.00');
    expect(JSON.parse(got!.body)).toEqual({ id: 'price-7-0', type: 'price.set', sku: 'LAMP-01', price: '599.00', sent_at: NOW.toISOString() });
    expect(got!.headers['x-orderops-signature']).toBe(signOutbound('s3cret', got!.body));
    expect(got!.headers['idempotency-key']).toBe('price-7-0');
    nock('https://erp.test').post('/hook').reply(422, 'unknown sku');
    expect(await pushError(port.setStock(target(), 3))).toMatchObject({ kind: 'permanent', platformMessage: 'unknown sku' });
    nock('https://erp.test').post('/hook').reply(503, 'down');
    expect((await pushError(port.setStock(target(), 3))).kind).toBe('transient');
  });
});
