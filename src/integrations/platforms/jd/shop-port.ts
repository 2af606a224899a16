import { normalizeMoney } from '../../../domain/money';
import { ShopPushError, type ErrorRule, type ListingPage, type PushTarget, type ShopListing, type ShopPort } from '../../../domain/shop/shop-port';
import { arr, int, obj, str, type Json } from '../common/platform-order';
import { need, pushCall } from '../common/push-errors';
import { callJos, type JdPullOptions } from './pull';

/**
 * JOS answers as push errors (⚠ JD's gateway code table is not in our reference: call limits and
 * busy answers are told by their words; business refusals such as a price out of range are permanent).
 */
export const JD_PUSH_ERRORS: readonly ErrorRule[] = [
  { message: /频繁|限流|流控|too many|rate.?limit/i, kind: 'throttled' },
  { message: /繁忙|超时|服务异常|busy|timeout/i, kind: 'transient' },
];

const PAGE = 100;

/**
 * JD through the signed JOS client of the order pulls (shop-push-apis.md):
 * `jingdong.price.write.updateSkuJdPrice` (`skuId`, `jdPrice` in yuan),
 * `jingdong.stock.write.updateSkuStock` (`skuId`, `stockNum`: a full figure), and the listings from
 * `jingdong.sku.read.searchSkuList` (`page.data[{skuId, jdPrice, stockNum, outerId, wareId}]`).
 */
export function jdShopPort(opts: JdPullOptions): ShopPort {
  return {
    platform: 'jd',
    async setPrice(t: PushTarget, price: string) {
      const skuId = need(t.ref?.skuId, 'skuId', 'jd');
      await pushCall(JD_PUSH_ERRORS, async () => refused(await callJos(opts, 'jingdong.price.write.updateSkuJdPrice', { skuId, jdPrice: price })));
    },
    async setStock(t: PushTarget, quantity: number) {
      const skuId = need(t.ref?.skuId, 'skuId', 'jd');
      await pushCall(JD_PUSH_ERRORS, async () => refused(await callJos(opts, 'jingdong.stock.write.updateSkuStock', { skuId, stockNum: quantity })));
    },
    async *readListings(): AsyncGenerator<ListingPage> {
      let calls = 0;
      for (let page = 1; ; page++) {
        const node = await pushCall(JD_PUSH_ERRORS, () =>
          callJos(opts, 'jingdong.sku.read.searchSkuList', { pageNo: page, page_size: PAGE, field: 'skuId,jdPrice,stockNum,outerId,wareId' }));
        calls++;
        const p = obj(node.page);
        const rows = arr(p.data).map(obj);
        const listings: ShopListing[] = [];
        for (const r of rows) {
          const code = str(r.outerId);
          if (!code) continue;
          const price = str(r.jdPrice);
          listings.push({
            merchantCode: code, stock: int(r.stockNum) ?? null, price: price === undefined ? null : normalizeMoney(price),
            ref: { skuId: str(r.skuId), productId: str(r.wareId) },
          });
        }
        yield { listings, calls };
        const total = int(p.totalItem) ?? 0;
        if (rows.length < PAGE || page * PAGE >= total) break;
      }
    },
  };
}

/** A JOS answer may carry a business refusal inside a successful response (⚠ shapes vary by API). */
function refused(node: Json): Json {
  for (const r of [node, obj(node.returnType), obj(node.result)]) {
    if (r.success === false || r.isSuccess === false) {
      const message = str(r.message) ?? str(r.resultMessage) ?? str(r.errorMessage) ?? 'refused';
      throw new ShopPushError('permanent', str(r.code) ?? str(r.resultCode) ?? 'refused', message);
    }
  }
  return node;
}
