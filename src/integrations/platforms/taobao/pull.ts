import { formatGmt8, splitWindow, windowIso, type TimeWindow } from '../common/china-time';
import { PlatformApiError, requestJson, type HttpOptions } from '../common/http-client';
import { int, mapPage, obj, str, type Json, type PullPage } from '../common/platform-order';
import { mapTaobaoTrade, topList } from './order-map';
import { topSign, type TopSignMethod } from './sign';

export interface TaobaoPullOptions extends HttpOptions {
  /** TAOBAO_API_URL, e.g. https://eco.taobao.com/router/rest */
  baseUrl: string;
  appKey: string;
  appSecret: string;
  /** The seller's session key (access token); empty for app-level calls (TMC). */
  session: string;
  signMethod?: TopSignMethod;
  now?: () => Date;
  /** ≤ 100. */
  pageSize?: number;
  fields?: string;
}

export const TRADE_FIELDS = [
  'tid', 'status', 'type', 'step_trade_status', 'step_paid_fee', 'seller_nick', 'created', 'modified', 'pay_time',
  'consign_time', 'end_time', 'payment', 'total_fee', 'post_fee', 'discount_fee', 'buyer_message', 'seller_memo',
  'seller_flag', 'receiver_name', 'receiver_mobile', 'receiver_phone', 'receiver_state', 'receiver_city',
  'receiver_district', 'receiver_town', 'receiver_address', 'receiver_zip', 'oaid', 'orders',
].join(',');

/** One signed TOP call (§2.2), POSTed as a form. Returns the `<method>_response` node. */
export async function callTop(opts: TaobaoPullOptions, method: string, business: Record<string, string>): Promise<Json> {
  const params: Record<string, string> = {
    method, app_key: opts.appKey, timestamp: formatGmt8((opts.now ?? (() => new Date()))()),
    format: 'json', v: '2.0', sign_method: opts.signMethod ?? 'hmac-sha256', ...business,
  };
  // App-level calls (the TMC message queue) take no seller session.
  if (opts.session) params.session = opts.session;
  params.sign = topSign(params, opts.appSecret, opts.signMethod ?? 'hmac-sha256');
  const answer = obj(
    await requestJson('taobao', opts.baseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: new URLSearchParams(params).toString(),
    }, opts),
  );
  const err = obj(answer.error_response);
  if (Object.keys(err).length > 0) {
    const sub = str(err.sub_code) ?? '';
    // isp.* and call limits (code 7) are the platform's side; isv.* are ours (bad params, expired session).
    const retryable = sub.startsWith('isp.') || ['7', '520'].includes(str(err.code) ?? '');
    throw new PlatformApiError('taobao', [str(err.code), sub].filter(Boolean).join('/'), str(err.sub_msg) ?? str(err.msg) ?? 'no message', retryable);
  }
  return obj(answer[`${method.replace(/^taobao\./, '').replace(/\./g, '_')}_response`]);
}

/**
 * Every trade modified in the window via `taobao.trades.sold.increment.get` (§2.3): one calendar day
 * (GMT+8) per call, results newest first, so each window is read from its last page back to page 1
 * — a trade that moves while we read then shifts onto a page already read, never past us.
 */
export async function* pullTaobaoOrders(window: TimeWindow, opts: TaobaoPullOptions): AsyncGenerator<PullPage> {
  const size = Math.min(opts.pageSize ?? 100, 100);
  for (const w of splitWindow(window, 24 * 3600_000, true)) {
    // end_modified must stay on the same day: stop a second before the next midnight (modified is in whole seconds).
    const endsAtMidnight = (w.until.getTime() + 8 * 3600_000) % (24 * 3600_000) === 0;
    const end = new Date(w.until.getTime() - (endsAtMidnight ? 1000 : 0));
    const page = (n: number) =>
      callTop(opts, 'taobao.trades.sold.increment.get', {
        fields: opts.fields ?? TRADE_FIELDS,
        start_modified: formatGmt8(w.since),
        end_modified: formatGmt8(end),
        page_no: String(n),
        page_size: String(size),
      });
    const first = await page(1);
    const total = int(first.total_results) ?? 0;
    const pages = Math.max(1, Math.ceil(total / size));
    for (let n = pages; n >= 1; n--) {
      // Page 1 is read again last when there is more than one page: it may have changed meanwhile.
      const data = n === 1 && pages === 1 ? first : await page(n);
      const trades = topList(data.trades, 'trade');
      yield { window: windowIso(w), page: n, lastOfWindow: n === 1, total, ...mapPage(trades, mapTaobaoTrade) };
    }
  }
}

/** One trade, whole (`taobao.trade.fullinfo.get`): what a TMC message (which names only the tid) is followed by. */
export async function fetchTaobaoTrade(opts: TaobaoPullOptions, tid: string): Promise<Json> {
  const data = await callTop(opts, 'taobao.trade.fullinfo.get', { fields: opts.fields ?? TRADE_FIELDS, tid });
  return obj(data.trade);
}
