import { normalizeMoney } from '../../../domain/money';
import { ShopPushError, type ErrorRule, type ListingPage, type PushTarget, type ShopListing, type ShopPort } from '../../../domain/shop/shop-port';
import { PlatformApiError, requestJson } from '../common/http-client';
import { arr, int, obj, str, type Json } from '../common/platform-order';
import { need, pushCall } from '../common/push-errors';
import type { ShopifyPullOptions } from './pull';

/**
 * Shopify's answers as push errors: `THROTTLED` (the GraphQL cost bucket is empty) waits,
 * `INTERNAL_SERVER_ERROR` is transient, user errors (a bad id, a compare-and-set that stayed stale)
 * are permanent.
 */
export const SHOPIFY_PUSH_ERRORS: readonly ErrorRule[] = [
  { code: 'THROTTLED', kind: 'throttled' },
  { code: /INTERNAL_SERVER_ERROR|SERVICE_UNAVAILABLE/, kind: 'transient' },
  { code: /ACCESS_DENIED|NOT_FOUND|INVALID|COMPARE_QUANTITY|userError/, kind: 'permanent' },
];

const PRICE = `mutation SetPrice($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) { productVariants { id price } userErrors { field message code } }
}`;
const STOCK = `mutation SetStock($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) { inventoryAdjustmentGroup { reason } userErrors { field message code } }
}`;
const CURRENT = `query Current($id: ID!) { productVariant(id: $id) { inventoryQuantity } }`;
const VARIANTS = `query Variants($first: Int!, $after: String) {
  productVariants(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id sku price inventoryQuantity product { id } inventoryItem { id inventoryLevels(first: 1) { nodes { location { id } } } } }
  }
}`;

/**
 * Shopify through the GraphQL Admin API of the order pulls (shop-push-apis.md):
 * `productVariantsBulkUpdate` for the price, `inventorySetQuantities` (name `available`) with its
 * compare-and-set — `compareQuantity` is what the last pull (or push) saw; when Shopify says it is
 * stale the current figure is read and the set tried once more — and `productVariants` pages for
 * the listings (SKU, price, inventory item and its location).
 */
export function shopifyShopPort(opts: ShopifyPullOptions): ShopPort {
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/admin/api/${opts.apiVersion ?? '2025-01'}/graphql.json`;
  const gql = (query: string, variables: Json) => graphql(opts, url, query, variables);
  const setStock = async (t: PushTarget, quantity: number, compare: number | null): Promise<void> => {
    const q = {
      inventoryItemId: need(t.ref?.inventoryItemId, 'the inventory item id', 'shopify'),
      locationId: need(t.ref?.locationId, 'the location id', 'shopify'),
      quantity,
      ...(compare === null ? {} : { compareQuantity: compare }),
    };
    const data = await gql(STOCK, { input: { name: 'available', reason: 'correction', ...(compare === null ? { ignoreCompareQuantity: true } : {}), quantities: [q] } });
    userErrors(obj(data.inventorySetQuantities));
  };
  return {
    platform: 'shopify',
    async setPrice(t: PushTarget, price: string) {
      const productId = need(t.ref?.productId, 'the product id', 'shopify');
      const variantId = need(t.ref?.variantId, 'the variant id', 'shopify');
      await pushCall(SHOPIFY_PUSH_ERRORS, async () => {
        const data = await gql(PRICE, { productId, variants: [{ id: variantId, price }] });
        userErrors(obj(data.productVariantsBulkUpdate));
      });
    },
    async setStock(t: PushTarget, quantity: number) {
      await pushCall(SHOPIFY_PUSH_ERRORS, async () => {
        try {
          await setStock(t, quantity, t.lastStock);
        } catch (e) {
          if (!(e instanceof ShopPushError) || e.code !== 'COMPARE_QUANTITY_STALE' || !t.ref?.variantId) throw e;
          // Someone (a sale) moved it since we looked: read it and set our figure against that.
          const now = int(obj((await gql(CURRENT, { id: t.ref.variantId })).productVariant).inventoryQuantity) ?? null;
          await setStock(t, quantity, now);
        }
      });
    },
    async *readListings(): AsyncGenerator<ListingPage> {
      let calls = 0;
      let after: string | null = null;
      for (;;) {
        const data = await pushCall(SHOPIFY_PUSH_ERRORS, () => gql(VARIANTS, { first: 250, after }));
        calls++;
        const page = obj(data.productVariants);
        const listings: ShopListing[] = [];
        for (const v of arr(page.nodes).map(obj)) {
          const code = str(v.sku);
          if (!code) continue;
          const item = obj(v.inventoryItem);
          const location = obj(obj(arr(obj(item.inventoryLevels).nodes)[0]).location);
          const price = str(v.price);
          listings.push({
            merchantCode: code, stock: int(v.inventoryQuantity) ?? null, price: price === undefined ? null : normalizeMoney(price),
            ref: { productId: str(obj(v.product).id), variantId: str(v.id), inventoryItemId: str(item.id), locationId: str(location.id) },
          });
        }
        yield { listings, calls };
        const info = obj(page.pageInfo);
        if (info.hasNextPage !== true || !str(info.endCursor)) break;
        after = str(info.endCursor)!;
      }
    },
  };
}

async function graphql(opts: ShopifyPullOptions, url: string, query: string, variables: Json): Promise<Json> {
  const answer = obj(await requestJson('shopify', url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': opts.accessToken },
    body: JSON.stringify({ query, variables }),
  }, opts));
  const errors = arr(answer.errors).map(obj);
  if (errors.length > 0) {
    const code = str(obj(errors[0]!.extensions).code) ?? 'graphql';
    const cost = obj(obj(answer.extensions).cost);
    const status = obj(cost.throttleStatus);
    const waitS = (int(cost.requestedQueryCost) ?? 0) - (int(status.currentlyAvailable) ?? 0);
    const rate = int(status.restoreRate) ?? 0;
    const after = code === 'THROTTLED' && rate > 0 ? Math.max(1000, Math.ceil((waitS / rate) * 1000)) : undefined;
    throw new PlatformApiError('shopify', code, errors.map((e) => str(e.message)).join('; '), code === 'THROTTLED', after);
  }
  return obj(answer.data);
}

/** A mutation's userErrors are refusals of what we asked: permanent, with Shopify's own words. */
function userErrors(payload: Json): void {
  const errs = arr(payload.userErrors).map(obj);
  if (errs.length > 0) throw new ShopPushError('permanent', str(errs[0]!.code) ?? 'userError', errs.map((e) => str(e.message)).join('; '));
}
