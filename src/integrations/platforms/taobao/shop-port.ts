import { normalizeMoney } from '../../../domain/money';
import type { ErrorRule, ListingPage, PushTarget, ShopListing, ShopPort } from '../../../domain/shop/shop-port';
import { int, obj, str } from '../common/platform-order';
import { need, pushCall } from '../common/push-errors';
import { topList } from './order-map';
import { callTop, type TaobaoPullOptions } from './pull';

/**
 * TOP answers as push errors: code 7 and the `accesscontrol.limited-by-*` / `isv.call-limited`
 * sub-codes are call limits, `isp.*` (and code 520) the platform's own faults, `isv.*` ours (a bad
 * parameter, a price outside the item's SKU price range, no permission), code 27 an expired session.
 */
export const TAOBAO_PUSH_ERRORS: readonly ErrorRule[] = [
  { code: /^7(\/|$)/, kind: 'throttled' },
  { code: /accesscontrol\.limited|call-limited/, kind: 'throttled' },
  { code: /isp\./, kind: 'transient' },
  { code: /^520(\/|$)/, kind: 'transient' },
  { code: /isv\./, kind: 'permanent' },
  { code: /^(27|26|15|40|41)(\/|$)/, kind: 'permanent' },
];

const PAGE = 100;

/**
 * Taobao/Tmall through the signed TOP client of the order pulls (shop-push-apis.md):
 * `taobao.item.sku.price.update` (num_iid + the SKU's `properties`, which select it — there is no
 * sku_id parameter; price in yuan), `taobao.item.quantity.update` (`type` 1 = full), and the
 * listings from `taobao.items.onsale.get` then `taobao.item.seller.get` per item.
 */
export function taobaoShopPort(opts: TaobaoPullOptions): ShopPort {
  return {
    platform: 'taobao',
    async setPrice(t: PushTarget, price: string) {
      const numIid = need(t.ref?.productId, 'num_iid', 'taobao');
      const properties = need(t.ref?.properties, 'the SKU properties', 'taobao');
      await pushCall(TAOBAO_PUSH_ERRORS, () => callTop(opts, 'taobao.item.sku.price.update', { num_iid: numIid, properties, price }));
    },
    async setStock(t: PushTarget, quantity: number) {
      const numIid = need(t.ref?.productId, 'num_iid', 'taobao');
      const sku: Record<string, string> = t.ref?.skuId ? { sku_id: t.ref.skuId } : { outer_id: t.sku };
      await pushCall(TAOBAO_PUSH_ERRORS, () =>
        callTop(opts, 'taobao.item.quantity.update', { num_iid: numIid, ...sku, quantity: String(quantity), type: '1' }));
    },
    async *readListings(): AsyncGenerator<ListingPage> {
      let calls = 0;
      for (let page = 1; ; page++) {
        const node = await pushCall(TAOBAO_PUSH_ERRORS, () =>
          callTop(opts, 'taobao.items.onsale.get', { fields: 'num_iid', page_no: String(page), page_size: String(PAGE) }));
        calls++;
        const items = topList(node.items, 'item').map(obj);
        const listings: ShopListing[] = [];
        for (const it of items) {
          const numIid = str(it.num_iid);
          if (!numIid) continue;
          const detail = await pushCall(TAOBAO_PUSH_ERRORS, () =>
            callTop(opts, 'taobao.item.seller.get', { num_iid: numIid, fields: 'num_iid,outer_id,price,num,sku' }));
          calls++;
          const item = obj(detail.item);
          for (const s of topList(item.skus, 'sku').map(obj)) {
            const code = str(s.outer_id);
            if (!code) continue;
            listings.push({
              merchantCode: code, stock: int(s.quantity) ?? null, price: moneyOf(s.price),
              ref: { productId: numIid, skuId: str(s.sku_id), properties: str(s.properties) },
            });
          }
        }
        yield { listings, calls };
        const total = int(node.total_results) ?? 0;
        if (items.length < PAGE || page * PAGE >= total) break;
      }
    },
  };
}

const moneyOf = (v: unknown): string | null => {
  const s = str(v);
  return s === undefined ? null : normalizeMoney(s);
};
