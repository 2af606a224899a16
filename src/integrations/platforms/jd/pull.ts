import { formatGmt8, windowIso, type TimeWindow } from '../common/china-time';
import { PlatformApiError, requestJson, type HttpOptions } from '../common/http-client';
import { arr, int, mapPage, obj, str, type Json, type PullPage } from '../common/platform-order';
import { mapJdOrder } from './order-map';
import { jdSign } from './sign';

export interface JdPullOptions extends HttpOptions {
  /** JD_API_URL, e.g. https://api.jd.com/routerjson */
  baseUrl: string;
  appKey: string;
  appSecret: string;
  accessToken: string;
  now?: () => Date;
  /** ≤ 100. */
  pageSize?: number;
  /** `jingdong.pop.order.search` (masked PII) or `jingdong.pop.order.enSearch` (encrypted PII). */
  method?: string;
  /** ⚠ JD's values for "by modification time" are unconfirmed; sent only when given. */
  dateType?: string;
}

export const JD_ORDER_STATES = Object.freeze([
  'WAIT_SELLER_STOCK_OUT', 'WAIT_SELLER_DELIVERY', 'WAIT_SEND_CODE', 'WAIT_GOODS_RECEIVE_CONFIRM', 'FINISHED_L',
  'TRADE_CANCELED', 'LOCKED', 'PAUSE', 'POP_ORDER_PAUSE',
]);

/** One signed JOS call (§4): common params + 360buy_param_json, POSTed as a form. Returns the response node. */
export async function callJos(opts: JdPullOptions, method: string, business: Json): Promise<Json> {
  const params: Record<string, string> = {
    method, app_key: opts.appKey, access_token: opts.accessToken, v: '2.0',
    timestamp: `${formatGmt8((opts.now ?? (() => new Date()))(), true)}+0800`,
    '360buy_param_json': JSON.stringify(business),
  };
  params.sign = jdSign(params, opts.appSecret);
  const answer = obj(
    await requestJson('jd', opts.baseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: new URLSearchParams(params).toString(),
    }, opts),
  );
  const err = obj(answer.error_response);
  if (Object.keys(err).length > 0) {
    const message = str(err.zh_desc) ?? str(err.en_desc) ?? 'no message';
    throw new PlatformApiError('jd', str(err.code) ?? '?', message, /频繁|限流|繁忙|超时|limit|busy|timeout/i.test(message));
  }
  // JD names the node `<method with _>_responce` (sic); accept either spelling.
  const key = method.replace(/\./g, '_');
  return obj(answer[`${key}_responce`] ?? answer[`${key}_response`]);
}

/**
 * Every order in the window via jingdong.pop.order.search (§4), pages 1…n. JD has no push outside
 * 京东云鼎, so this pull is the whole intake for JD.
 */
export async function* pullJdOrders(window: TimeWindow, opts: JdPullOptions): AsyncGenerator<PullPage> {
  const size = Math.min(opts.pageSize ?? 100, 100);
  const method = opts.method ?? 'jingdong.pop.order.search';
  for (let page = 1; ; page++) {
    const node = await callJos(opts, method, {
      start_date: formatGmt8(window.since),
      end_date: formatGmt8(window.until),
      order_state: JD_ORDER_STATES.join(','),
      ...(opts.dateType !== undefined ? { dateType: opts.dateType } : {}),
      page: String(page),
      page_size: String(size),
    });
    const result = obj(node.searchorderinfo_result);
    const api = obj(result.apiResult);
    if (api.success === false) {
      throw new PlatformApiError('jd', str(api.englishErrCode) ?? str(api.code) ?? '?', str(api.chineseErrCode) ?? 'failed', false);
    }
    const list = arr(result.orderInfoList);
    const total = int(result.orderTotal) ?? 0;
    const last = list.length === 0 || page * size >= total;
    yield { window: windowIso(window), page, lastOfWindow: last, total, ...mapPage(list, mapJdOrder) };
    if (last) break;
  }
}
