import type { ErrorRule, ListingPage, PushTarget, ShopListing, ShopPort } from '../../../domain/shop/shop-port';
import { arr, int, obj, str } from '../common/platform-order';
import { cents, need, pushCall, yuan } from '../common/push-errors';
import { callPdd, type PddPullOptions } from './pull';

/**
 * PDD answers as push errors (⚠ PDD's code table is not in our reference: throttling and busy
 * answers are told by their words; refusals such as lowering stock on a promotion slot are permanent).
 */
export const PDD_PUSH_ERRORS: readonly ErrorRule[] = [
  { message: /频繁|限流|too many|rate.?limit/i, kind: 'throttled' },
  { message: /繁忙|超时|系统异常|busy|timeout/i, kind: 'transient' },
  { code: /^5\d{4}/, kind: 'transient' },
];

const PAGE = 100;

/**
 * 拼多多 through the signed client of the order pulls (shop-push-apis.md):
 * `pdd.goods.sku.price.update` (`sku_price_list` with the group price and the single-buy price, in
 * fen), `pdd.goods.quantity.update` (`update_type` 1 = full), and the listings from
 * `pdd.goods.list.get` then `pdd.goods.detail.get` (`multi_price` = group, `price` = single).
 *
 * The master price is the group price (what most buyers pay); the single-buy price keeps the gap it
 * had above the group price (⚠ PDD wants single ≥ group), or equals it when that gap is unknown.
 */
export function pddShopPort(opts: PddPullOptions): ShopPort {
  return {
    platform: 'pinduoduo',
    async setPrice(t: PushTarget, price: string) {
      const goodsId = need(t.ref?.productId, 'goods_id', 'pinduoduo');
      const skuId = need(t.ref?.skuId, 'sku_id', 'pinduoduo');
      const group = cents(price);
      const gap = t.ref?.singlePrice && t.lastPrice ? Math.max(cents(t.ref.singlePrice) - cents(t.lastPrice), 0) : 0;
      const list = [{ sku_id: Number(skuId), group_price: group, single_price: group + gap }];
      await pushCall(PDD_PUSH_ERRORS, () => callPdd(opts, 'pdd.goods.sku.price.update', { goods_id: goodsId, sku_price_list: JSON.stringify(list) }));
    },
    async setStock(t: PushTarget, quantity: number) {
      const goodsId = need(t.ref?.productId, 'goods_id', 'pinduoduo');
      const sku: Record<string, string> = t.ref?.skuId ? { sku_id: t.ref.skuId } : { outer_id: t.sku };
      await pushCall(PDD_PUSH_ERRORS, () =>
        callPdd(opts, 'pdd.goods.quantity.update', { goods_id: goodsId, ...sku, quantity: String(quantity), update_type: '1' }));
    },
    async *readListings(): AsyncGenerator<ListingPage> {
      let calls = 0;
      for (let page = 1; ; page++) {
        const list = obj((await pushCall(PDD_PUSH_ERRORS, () =>
          callPdd(opts, 'pdd.goods.list.get', { page: String(page), page_size: String(PAGE) }))).goods_list_get_response);
        calls++;
        const goods = arr(list.goods_list).map(obj);
        const listings: ShopListing[] = [];
        for (const g of goods) {
          const goodsId = str(g.goods_id);
          if (!goodsId) continue;
          const d = obj((await pushCall(PDD_PUSH_ERRORS, () => callPdd(opts, 'pdd.goods.detail.get', { goods_id: goodsId }))).goods_detail_get_response);
          calls++;
          for (const s of arr(d.sku_list).map(obj)) {
            const code = str(s.out_sku_sn);
            if (!code) continue;
            listings.push({
              merchantCode: code, stock: int(s.quantity) ?? null, price: yuan(str(s.multi_price)),
              ref: { productId: goodsId, skuId: str(s.sku_id), singlePrice: yuan(str(s.price)) ?? undefined },
            });
          }
        }
        yield { listings, calls };
        const total = int(list.total_count) ?? 0;
        if (goods.length < PAGE || page * PAGE >= total) break;
      }
    },
  };
}
