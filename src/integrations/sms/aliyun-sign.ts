import { createHmac } from 'node:crypto';

/** Aliyun RPC "percent encode": RFC 3986, with space as %20, * as %2A and ~ kept. */
export function aliyunEncode(s: string): string {
  return encodeURIComponent(s).replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~').replace(/[!'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Signature version 1.0 (HMAC-SHA1) of Aliyun's RPC APIs such as dysmsapi SendSms:
 * base64(HMAC-SHA1(secret + "&", "GET&%2F&" + encode(sorted canonical query))).
 */
export function aliyunSignature(params: Record<string, string>, accessKeySecret: string, method = 'GET'): string {
  const canonical = Object.keys(params)
    .sort()
    .map((k) => `${aliyunEncode(k)}=${aliyunEncode(params[k]!)}`)
    .join('&');
  const toSign = `${method}&${aliyunEncode('/')}&${aliyunEncode(canonical)}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(toSign).digest('base64');
}
