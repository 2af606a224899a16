import { splitWindow, unixSeconds, windowIso, type TimeWindow } from '../common/china-time';
import { PlatformApiError, requestJson, type HttpOptions } from '../common/http-client';
import { arr, int, mapPage, obj, str, type Json, type PullPage } from '../common/platform-order';
import { mapPddOrder } from './order-map';
import { pddSign } from './sign';

export interface PddPullOptions extends HttpOptions {
  /** PDD_API_URL, e.g. https://gw-api.pinduoduo.com/api/router */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  accessToken: string;
  now?: () => Date;
  /** ≤ 100. */
  pageSize?: number;
  /** The mall id, stored as the order's shop. */
  shop?: string;
}

/** One signed call (§3.2), POSTed as a form. Returns the `<type>_response`-style node. */
export async function callPdd(opts: PddPullOptions, type: string, business: Record<string, string>): Promise<Json> {
  const params: Record<string, string> = {
    type, client_id: opts.clientId, access_token: opts.accessToken, data_type: 'JSON',
    timestamp: String(unixSeconds((opts.now ?? (() => new Date()))())), ...business,
  };
  params.sign = pddSign(params, opts.clientSecret);
  const answer = obj(
    await requestJson('pinduoduo', opts.baseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: new URLSearchParams(params).toString(),
    }, opts),
  );
  const err = obj(answer.error_response);
  if (Object.keys(err).length > 0) {
    const message = str(err.sub_msg) ?? str(err.error_msg) ?? 'no message';
    // ⚠ PDD's code table is not in our reference: throttling and busy answers are treated as transient.
    const retryable = /频繁|限流|繁忙|超时|limit|busy|timeout/i.test(message) || (int(err.error_code) ?? 0) >= 50000;
    throw new PlatformApiError('pinduoduo', [str(err.error_code), str(err.sub_code)].filter(Boolean).join('/'), message, retryable);
  }
  return answer;
}

/**
 * Every order updated in the window via `pdd.order.number.list.increment.get` (§3.3): 30-minute
 * windows, all statuses, read from the last page back to page 1 as the platform advises.
 */
export async function* pullPddOrders(window: TimeWindow, opts: PddPullOptions): AsyncGenerator<PullPage> {
  const size = Math.min(opts.pageSize ?? 100, 100);
  for (const w of splitWindow(window, 30 * 60_000)) {
    const page = async (n: number) =>
      obj(
        (await callPdd(opts, 'pdd.order.number.list.increment.get', {
          start_updated_at: String(unixSeconds(w.since)),
          end_updated_at: String(unixSeconds(w.until)),
          order_status: '5',
          refund_status: '5',
          is_lucky_flag: '0',
          page: String(n),
          page_size: String(size),
        })).order_sn_increment_get_response,
      );
    const first = await page(1);
    const total = int(first.total_count) ?? 0;
    const pages = Math.max(1, Math.ceil(total / size));
    for (let n = pages; n >= 1; n--) {
      const data = n === 1 && pages === 1 ? first : await page(n);
      yield { window: windowIso(w), page: n, lastOfWindow: n === 1, total, ...mapPage(arr(data.order_sn_list), (o) => mapPddOrder(o, opts.shop)) };
    }
  }
}

/** One order, whole (`pdd.order.information.get`): what a message (which names only the order_sn) is followed by. */
export async function fetchPddOrder(opts: PddPullOptions, orderSn: string): Promise<Json> {
  const data = await callPdd(opts, 'pdd.order.information.get', { order_sn: orderSn });
  return obj(obj(data.order_info_get_response).order_info);
}
