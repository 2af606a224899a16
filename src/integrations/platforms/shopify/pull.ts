import { windowIso, type TimeWindow } from '../common/china-time';
import { PlatformApiError, requestJson, type HttpOptions } from '../common/http-client';
import { arr, mapPage, obj, str, type PullPage } from '../common/platform-order';
import { ORDER_FIELDS, graphqlToRest } from './graphql-order';
import { mapShopifyOrder } from './order-map';

export interface ShopifyPullOptions extends HttpOptions {
  /** The shop's origin, e.g. https://example.myshopify.com (SHOPIFY_API_URL or the shop domain). */
  baseUrl: string;
  /** Admin API access token (X-Shopify-Access-Token). */
  accessToken: string;
  apiVersion?: string;
  /** ≤ 250. */
  pageSize?: number;
  /** Stored as the order's shop; defaults to the base URL's host. */
  shop?: string;
}

const QUERY = `query OrdersByUpdate($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {
    pageInfo { hasNextPage endCursor }
    nodes { ${ORDER_FIELDS} }
  }
}`;

/**
 * Every order updated in [since, until] via the GraphQL Admin API (§6.2), cursor page by cursor
 * page. The window needs no splitting; callers should overlap windows a little, since Shopify's
 * updated_at filter is known to miss some background updates.
 */
export async function* pullShopifyOrders(window: TimeWindow, opts: ShopifyPullOptions): AsyncGenerator<PullPage> {
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/admin/api/${opts.apiVersion ?? '2025-01'}/graphql.json`;
  const shop = opts.shop ?? new URL(opts.baseUrl).host;
  const query = `updated_at:>='${window.since.toISOString()}' AND updated_at:<='${window.until.toISOString()}'`;
  let after: string | null = null;
  for (let page = 1; ; page++) {
    const answer = obj(
      await requestJson('shopify', url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-shopify-access-token': opts.accessToken },
        body: JSON.stringify({ query: QUERY, variables: { first: Math.min(opts.pageSize ?? 250, 250), after, query } }),
      }, opts),
    );
    const errors = arr(answer.errors).map(obj);
    if (errors.length > 0) {
      const code = str(obj(errors[0]!.extensions).code) ?? 'graphql';
      throw new PlatformApiError('shopify', code, errors.map((e) => str(e.message)).join('; '), code === 'THROTTLED');
    }
    const orders = obj(obj(answer.data).orders);
    const info = obj(orders.pageInfo);
    const more = info.hasNextPage === true && str(info.endCursor) !== undefined;
    const mapped = mapPage(arr(orders.nodes), (n) => mapShopifyOrder(graphqlToRest(n), shop));
    yield { window: windowIso(window), page, lastOfWindow: !more, ...mapped };
    if (!more) break;
    after = str(info.endCursor)!;
  }
}
