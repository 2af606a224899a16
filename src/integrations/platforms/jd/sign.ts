import { createHash } from 'node:crypto';

/**
 * JD JOS sign (§4, V9): upper-case hex md5(secret + sorted name+value pairs + secret) over every
 * parameter except `sign`; `360buy_param_json` holds the business parameters as one JSON string.
 */
export function jdSign(params: Record<string, string>, appSecret: string): string {
  const s = Object.keys(params)
    .filter((k) => k !== 'sign')
    .sort()
    .map((k) => `${k}${params[k]}`)
    .join('');
  return createHash('md5').update(appSecret + s + appSecret).digest('hex').toUpperCase();
}
