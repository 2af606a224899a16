import { unixSeconds } from '../common/china-time';
import { PlatformApiError, requestJson, type HttpOptions } from '../common/http-client';
import { int, obj, str, type Json } from '../common/platform-order';
import { apiSign, sortedJson } from './sign';

export interface DouyinApiOptions extends HttpOptions {
  /** DOUYIN_API_URL, e.g. https://openapi-fxg.jinritemai.com */
  baseUrl: string;
  appKey: string;
  appSecret: string;
  /** The shop's OAuth access token. */
  accessToken: string;
  /** Injected clock for the signed timestamp. */
  now?: () => Date;
}

const SUCCESS = 10000;

/**
 * One signed call (§1.5): POST {base}/order/searchList?app_key&method&access_token&param_json
 * &timestamp&v=2&sign&sign_method=hmac-sha256 with param_json as the body. Returns `data`.
 */
export async function callDouyin(opts: DouyinApiOptions, method: string, params: Json): Promise<Json> {
  const paramJson = sortedJson(params);
  const timestamp = String(unixSeconds((opts.now ?? (() => new Date()))()));
  const sign = apiSign({ appKey: opts.appKey, appSecret: opts.appSecret, method, paramJson, timestamp, v: '2' });
  const query = new URLSearchParams({
    app_key: opts.appKey,
    method,
    access_token: opts.accessToken,
    param_json: paramJson,
    timestamp,
    v: '2',
    sign,
    sign_method: 'hmac-sha256',
  });
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/${method.replace(/\./g, '/')}?${query}`;
  const answer = obj(
    await requestJson('douyin', url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: paramJson }, opts),
  );
  const code = int(answer.code);
  if (code !== SUCCESS) {
    const message = str(answer.sub_msg) ?? str(answer.msg) ?? 'no message';
    // ⚠ Douyin's code table is not in our reference: treat server-side and throttling answers as transient.
    const retryable = code === undefined || code >= 50000 || /限流|频繁|繁忙|limit|busy/i.test(message);
    throw new PlatformApiError('douyin', [answer.code, answer.sub_code].filter((x) => x !== undefined && x !== '').join('/'), message, retryable);
  }
  return obj(answer.data);
}

/** `order.orderDetail` for one shop order (thin push messages name the order; this fetches it whole). */
export async function fetchDouyinOrder(opts: DouyinApiOptions, shopOrderId: string): Promise<Json> {
  const data = await callDouyin(opts, 'order.orderDetail', { shop_order_id: shopOrderId });
  return obj(data.shop_order_detail);
}
