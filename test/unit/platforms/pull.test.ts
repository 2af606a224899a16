import nock from 'nock';
import { apiSign } from '../../../src/integrations/platforms/douyin/sign';
import { pullDouyinOrders } from '../../../src/integrations/platforms/douyin/pull';
import { pullShopifyOrders } from '../../../src/integrations/platforms/shopify/pull';
import { pullTaobaoOrders } from '../../../src/integrations/platforms/taobao/pull';
import { topSign } from '../../../src/integrations/platforms/taobao/sign';
import { pullPddOrders } from '../../../src/integrations/platforms/pinduoduo/pull';
import { pddSign } from '../../../src/integrations/platforms/pinduoduo/sign';
import { pullJdOrders } from '../../../src/integrations/platforms/jd/pull';
import { jdSign } from '../../../src/integrations/platforms/jd/sign';
import { PlatformApiError } from '../../../src/integrations/platforms/common/http-client';
import type { PullPage } from '../../../src/integrations/platforms/common/platform-order';
import { fixture } from './load-fixture';

const NOW = new Date('2026-01-08T13:00:00Z'); // 21:00 GMT+8
const now = () => NOW;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

async function collect(it: AsyncIterable<PullPage>): Promise<PullPage[]> {
  const pages: PullPage[] = [];
  for await (const p of it) pages.push(p);
  return pages;
}
const ids = (pages: PullPage[]) => pages.flatMap((p) => p.orders.map((o) => o.order.externalId));
/** A form body as nock hands it over (string, or already parsed). */
const form = (body: unknown): Record<string, string> =>
  typeof body === 'string' ? Object.fromEntries(new URLSearchParams(body)) : (body as Record<string, string>);

describe('Douyin order.searchList pull', () => {
  const base = fixture<Record<string, Record<string, unknown>>>('douyin', 'orders.json')['completed']!;
  const order = (n: number) => ({ ...base, order_id: `69200000000000${String(n).padStart(5, '0')}` });
  const creds = { baseUrl: 'https://douyin.test', appKey: '3409409348479354011', appSecret: '2ad2355c-01d0-11f8-91dc-05a8cd1054b1', accessToken: 'tok', now };

  it('signs every request, pages from 0 until (page+1)×size ≥ total, and splits the window into 30-minute spans', async () => {
    const seen: { page: number; start: number; end: number }[] = [];
    nock('https://douyin.test')
      .post('/order/searchList')
      .query(true)
      .times(4)
      .reply(function (uri, body) {
        const q = Object.fromEntries(new URL(uri, 'https://douyin.test').searchParams);
        expect(q).toMatchObject({ app_key: creds.appKey, method: 'order.searchList', access_token: 'tok', v: '2', sign_method: 'hmac-sha256', timestamp: '1767877200' });
        expect(q.sign).toBe(apiSign({ ...creds, method: 'order.searchList', paramJson: q.param_json!, timestamp: q.timestamp!, v: '2' }));
        expect(JSON.stringify(body)).toBe(q.param_json);
        const p = JSON.parse(q.param_json!);
        expect(p).toMatchObject({ order_by: 'update_time', order_asc: true, size: 2 });
        seen.push({ page: p.page, start: p.update_time_start, end: p.update_time_end });
        const first = p.update_time_start === 1767870000;
        const list = first ? [order(p.page * 2 + 1), order(p.page * 2 + 2)].slice(0, p.page === 2 ? 1 : 2) : [];
        return [200, { code: 10000, msg: 'success', data: { page: p.page, size: 2, total: first ? 5 : 0, shop_order_list: list } }];
      });
    const pages = await collect(pullDouyinOrders({ since: new Date(1767870000_000), until: new Date(1767872400_000) }, { ...creds, pageSize: 2 }));
    expect(seen).toEqual([
      { page: 0, start: 1767870000, end: 1767871800 },
      { page: 1, start: 1767870000, end: 1767871800 },
      { page: 2, start: 1767870000, end: 1767871800 },
      { page: 0, start: 1767871800, end: 1767872400 },
    ]);
    expect(ids(pages)).toEqual([1, 2, 3, 4, 5].map((n) => `69200000000000${String(n).padStart(5, '0')}`));
    expect(pages.map((p) => p.lastOfWindow)).toEqual([false, false, true, true]);
    expect(pages.every((p) => p.errors.length === 0)).toBe(true);
    expect(nock.isDone()).toBe(true);
  });

  it('stops with a typed error when the platform refuses a page, after yielding the pages before it', async () => {
    nock('https://douyin.test').post('/order/searchList').query(true)
      .reply(200, { code: 10000, data: { total: 4, shop_order_list: [order(1), order(2)] } })
      .post('/order/searchList').query(true)
      .reply(200, { code: 50002, msg: '业务处理失败', sub_code: 'isp.service-busy', sub_msg: '服务繁忙' });
    const got: PullPage[] = [];
    const err = await (async () => {
      for await (const p of pullDouyinOrders({ since: new Date(1767870000_000), until: new Date(1767870600_000) }, { ...creds, pageSize: 2 })) got.push(p);
    })().catch((e: unknown) => e);
    expect(ids(got)).toHaveLength(2);
    expect(err).toBeInstanceOf(PlatformApiError);
    expect(err).toMatchObject({ platform: 'douyin', code: '50002/isp.service-busy', retryable: true });
  });
});

describe('Shopify GraphQL orders pull', () => {
  const node = fixture<Record<string, unknown>>('shopify', 'graphql-order-node.json');
  const withId = (n: number) => ({ ...node, id: `gid://shopify/Order/${n}`, legacyResourceId: String(n) });

  it('follows cursors until hasNextPage is false, with the token header and the updated_at query', async () => {
    const afters: (string | null)[] = [];
    nock('https://example.myshopify.com', { reqheaders: { 'x-shopify-access-token': 'shpat_test' } })
      .post('/admin/api/2025-01/graphql.json')
      .times(3)
      .reply((_uri, body) => {
        const b = (typeof body === 'string' ? JSON.parse(body) : body) as { query: string; variables: { after: string | null; query: string; first: number } };
        expect(b.query).toContain('sortKey: UPDATED_AT');
        expect(b.variables.query).toBe("updated_at:>='2026-01-08T00:00:00.000Z' AND updated_at:<='2026-01-08T13:00:00.000Z'");
        expect(b.variables.first).toBe(2);
        afters.push(b.variables.after);
        const i = afters.length;
        return [200, { data: { orders: { pageInfo: { hasNextPage: i < 3, endCursor: `c${i}` }, nodes: i < 3 ? [withId(i * 10 + 1), withId(i * 10 + 2)] : [withId(31)] } } }];
      });
    const pages = await collect(
      pullShopifyOrders({ since: new Date('2026-01-08T00:00:00Z'), until: NOW }, { baseUrl: 'https://example.myshopify.com', accessToken: 'shpat_test', pageSize: 2 }),
    );
    expect(afters).toEqual([null, 'c1', 'c2']);
    expect(ids(pages)).toEqual(['11', '12', '21', '22', '31']);
    expect(pages[0]!.orders[0]!.order.shop).toBe('example.myshopify.com');
  });

  it('turns THROTTLED into a retryable error', async () => {
    nock('https://example.myshopify.com').post('/admin/api/2025-01/graphql.json')
      .reply(200, { errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }] });
    await expect(collect(pullShopifyOrders({ since: new Date(0), until: NOW }, { baseUrl: 'https://example.myshopify.com', accessToken: 't' })))
      .rejects.toMatchObject({ platform: 'shopify', code: 'THROTTLED', retryable: true });
  });
});

describe('Taobao increment pull', () => {
  const trade = fixture<Record<string, Record<string, unknown>>>('taobao', 'trades.json')['awaiting payment']!;
  const opts = { baseUrl: 'https://top.test/router/rest', appKey: '12345678', appSecret: 'helloworld', session: 'sess', now, pageSize: 100 };

  it('reads each calendar day (GMT+8) from its last page back to page 1, every request signed', async () => {
    const calls: [string, string, string][] = [];
    nock('https://top.test').post('/router/rest').times(6).reply((_uri, body) => {
      const f = form(body);
      expect(f).toMatchObject({ method: 'taobao.trades.sold.increment.get', app_key: '12345678', session: 'sess', format: 'json', v: '2.0', sign_method: 'hmac-sha256', timestamp: '2026-01-08 21:00:00', page_size: '100' });
      const { sign, ...rest } = f;
      expect(sign).toBe(topSign(rest, 'helloworld', 'hmac-sha256'));
      calls.push([f.start_modified!, f.end_modified!, f.page_no!]);
      const firstDay = f.start_modified!.startsWith('2026-01-07');
      const total = firstDay ? 250 : 1;
      const page = Number(f.page_no);
      const n = firstDay ? (page < 3 ? 100 : 50) : 1;
      const trades = Array.from({ length: n }, (_, i) => ({ ...trade, tid: `${firstDay ? 1 : 2}${page}${String(i).padStart(3, '0')}` }));
      return [200, { trades_sold_increment_get_response: { total_results: total, trades: { trade: trades } } }];
    });
    const pages = await collect(pullTaobaoOrders({ since: new Date('2026-01-07T04:00:00Z'), until: new Date('2026-01-08T02:00:00Z') }, opts));
    expect(calls).toEqual([
      ['2026-01-07 12:00:00', '2026-01-07 23:59:59', '1'],
      ['2026-01-07 12:00:00', '2026-01-07 23:59:59', '3'],
      ['2026-01-07 12:00:00', '2026-01-07 23:59:59', '2'],
      ['2026-01-07 12:00:00', '2026-01-07 23:59:59', '1'],
      ['2026-01-08 00:00:00', '2026-01-08 10:00:00', '1'],
    ]);
    expect(pages.map((p) => [p.page, p.orders.length, p.lastOfWindow])).toEqual([[3, 50, false], [2, 100, false], [1, 100, true], [1, 1, true]]);
    expect(new Set(ids(pages)).size).toBe(251);
  });

  it('maps error_response: isv.* is ours (not retryable), isp.* is theirs', async () => {
    nock('https://top.test').post('/router/rest').reply(200, { error_response: { code: 27, msg: 'Invalid session', sub_code: 'isv.invalid-session' } });
    await expect(collect(pullTaobaoOrders({ since: new Date('2026-01-08T00:00:00Z'), until: NOW }, opts)))
      .rejects.toMatchObject({ platform: 'taobao', code: '27/isv.invalid-session', retryable: false });
  });
});

describe('Pinduoduo increment pull', () => {
  const order = fixture<Record<string, Record<string, unknown>>>('pinduoduo', 'orders.json')['signed for (completed)']!;
  const opts = { baseUrl: 'https://pdd.test/api/router', clientId: 'cid', clientSecret: 'testSecret', accessToken: 'tok', now, pageSize: 2, shop: 'mall-1' };

  it('uses 30-minute windows, reads from the last page back, and signs every request', async () => {
    const calls: [string, string, string][] = [];
    nock('https://pdd.test').post('/api/router').times(5).reply((_uri, body) => {
      const f = form(body);
      expect(f).toMatchObject({ type: 'pdd.order.number.list.increment.get', client_id: 'cid', access_token: 'tok', data_type: 'JSON', timestamp: '1767877200', order_status: '5', refund_status: '5', page_size: '2' });
      const { sign, ...rest } = f;
      expect(sign).toBe(pddSign(rest, 'testSecret'));
      calls.push([f.start_updated_at!, f.end_updated_at!, f.page!]);
      const first = f.start_updated_at === '1767870000';
      const page = Number(f.page);
      const list = first ? (page === 2 ? [{ ...order, order_sn: 'A3' }] : [{ ...order, order_sn: `A${page * 2 - 1}` }, { ...order, order_sn: `A${page * 2}` }]) : [{ ...order, order_sn: 'B1' }];
      return [200, { order_sn_increment_get_response: { total_count: first ? 3 : 1, has_next: false, order_sn_list: list } }];
    });
    const pages = await collect(pullPddOrders({ since: new Date(1767870000_000), until: new Date(1767872400_000) }, opts));
    expect(calls).toEqual([
      ['1767870000', '1767871800', '1'],
      ['1767870000', '1767871800', '2'],
      ['1767870000', '1767871800', '1'],
      ['1767871800', '1767872400', '1'],
    ]);
    expect(ids(pages)).toEqual(['A3', 'A1', 'A2', 'B1']);
    expect(pages[0]!.orders[0]!.order.shop).toBe('mall-1');
  });
});

describe('JD order search pull', () => {
  const order = fixture<Record<string, Record<string, unknown>>>('jd', 'orders.json')['shipped']!;
  const opts = { baseUrl: 'https://jd.test/routerjson', appKey: 'ak', appSecret: 'yourappSecret', accessToken: 'tok', now, pageSize: 2 };

  it('pages 1…n with 360buy_param_json, every request signed', async () => {
    const pagesAsked: string[] = [];
    nock('https://jd.test').post('/routerjson').times(2).reply((_uri, body) => {
      const f = form(body);
      expect(f).toMatchObject({ method: 'jingdong.pop.order.search', app_key: 'ak', access_token: 'tok', v: '2.0', timestamp: '2026-01-08 21:00:00.000+0800' });
      const { sign, ...rest } = f;
      expect(sign).toBe(jdSign(rest, 'yourappSecret'));
      const p = JSON.parse(f['360buy_param_json']!);
      expect(p).toMatchObject({ start_date: '2026-01-08 08:00:00', end_date: '2026-01-08 21:00:00', page_size: '2' });
      expect(p.order_state.split(',')).toContain('WAIT_GOODS_RECEIVE_CONFIRM');
      pagesAsked.push(p.page);
      const list = p.page === '1' ? [{ ...order, orderId: '1' }, { ...order, orderId: '2' }] : [{ ...order, orderId: '3' }];
      return [200, { jingdong_pop_order_search_responce: { code: '0', searchorderinfo_result: { apiResult: { success: true }, orderTotal: 3, orderInfoList: list } } }];
    });
    const pages = await collect(pullJdOrders({ since: new Date('2026-01-08T00:00:00Z'), until: NOW }, opts));
    expect(pagesAsked).toEqual(['1', '2']);
    expect(ids(pages)).toEqual(['1', '2', '3']);
  });

  it('reports an HTTP 503 as retryable', async () => {
    nock('https://jd.test').post('/routerjson').reply(503, 'busy');
    await expect(collect(pullJdOrders({ since: new Date(0), until: NOW }, opts))).rejects.toMatchObject({ platform: 'jd', code: 'http_503', retryable: true });
  });
});
