import type { ErrorRule, ListingPage, PushTarget, ShopPort } from '../../../domain/shop/shop-port';
import { arr, int, obj, str } from '../common/platform-order';
import { cents, need, pushCall, yuan } from '../common/push-errors';
import { callDouyin, type DouyinApiOptions } from './api-client';

/**
 * Douyin's answers as push errors (⚠ Douyin publishes no code table we could verify: its gateway
 * puts `isp.*` sub-codes on its own faults and `isv.*` on the caller's; throttling is said in words).
 */
export const DOUYIN_PUSH_ERRORS: readonly ErrorRule[] = [
  { message: /限流|频繁|too many|rate.?limit/i, kind: 'throttled' },
  { code: /isp\./, kind: 'transient' },
  { message: /繁忙|超时|busy|timeout|系统错误/i, kind: 'transient' },
  { code: /isv\./, kind: 'permanent' },
];

const PAGE = 100;

/**
 * 抖店 through the signed client of the order pulls (shop-push-apis.md): `/sku/editPrice` (price in
 * fen), `/sku/syncStock` with `incremental: false` (a full set), and the listings from
 * `/product/listV2` (pages from 1, at most 100, page × size ≤ 10,000) then `/product/detail`
 * `spec_prices[]` per product.
 */
export function douyinShopPort(opts: DouyinApiOptions): ShopPort {
  return {
    platform: 'douyin',
    async setPrice(t: PushTarget, price: string) {
      const productId = need(t.ref?.productId, 'product_id', 'douyin');
      await pushCall(DOUYIN_PUSH_ERRORS, () =>
        callDouyin(opts, 'sku.editPrice', { product_id: productId, ...skuKey(t), price: cents(price) }));
    },
    async setStock(t: PushTarget, quantity: number) {
      const productId = need(t.ref?.productId, 'product_id', 'douyin');
      await pushCall(DOUYIN_PUSH_ERRORS, () =>
        callDouyin(opts, 'sku.syncStock', { product_id: productId, ...skuKey(t), stock_num: quantity, incremental: false }));
    },
    async *readListings(): AsyncGenerator<ListingPage> {
      let calls = 0;
      for (let page = 1; page * PAGE <= 10_000; page++) {
        const list = await pushCall(DOUYIN_PUSH_ERRORS, () => callDouyin(opts, 'product.listV2', { page, size: PAGE }));
        calls++;
        const products = arr(list.data).map(obj);
        const listings = [];
        for (const p of products) {
          const productId = str(p.product_id);
          if (!productId) continue;
          const detail = await pushCall(DOUYIN_PUSH_ERRORS, () => callDouyin(opts, 'product.detail', { product_id: productId }));
          calls++;
          for (const s of arr(detail.spec_prices).map(obj)) {
            const code = str(s.code);
            if (!code) continue;
            listings.push({
              merchantCode: code, stock: int(s.stock_num) ?? null, price: yuan(str(s.price)),
              ref: { productId, skuId: str(s.sku_id) },
            });
          }
        }
        yield { listings, calls };
        const total = int(list.total) ?? 0;
        if (products.length < PAGE || page * PAGE >= total) break;
      }
    },
  };
}

/** A SKU is named by its sku_id once pulled, else by the merchant code (both are accepted). */
function skuKey(t: PushTarget): Record<string, string> {
  return t.ref?.skuId ? { sku_id: t.ref.skuId } : { code: t.sku };
}
