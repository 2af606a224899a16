import { createHash } from 'node:crypto';
import { TrackingUnavailableError, type SubscribeResult, type TrackingSubscriber } from '../../domain/tracking';

export interface Kuaidi100Options {
  key: string;
  salt: string;
  callbackUrl: string;
  /** Default https://poll.kuaidi100.com (a stand-in in tests). */
  apiUrl: string;
  fetch?: typeof fetch;
}

/**
 * 快递100's subscription (`POST /poll`, form `schema=json&param={company, number, key,
 * parameters:{callbackurl, salt, resultv2, phone}}`). Its answer `{result, returnCode, message}`:
 * 200 subscribed; 501 already subscribed and still watched (fine); 700/701/702 bad data or carrier,
 * 600/601 key invalid or expired — permanent; 500 and anything else — try again later.
 */
export function kuaidi100Subscriber(o: Kuaidi100Options): TrackingSubscriber {
  const doFetch = o.fetch ?? fetch;
  return {
    provider: 'kuaidi100',
    async subscribe(req): Promise<SubscribeResult> {
      const param = JSON.stringify({
        company: req.carrierCode,
        number: req.trackingNo,
        key: o.key,
        parameters: { callbackurl: o.callbackUrl, salt: o.salt, resultv2: '1', ...(req.phone ? { phone: req.phone } : {}) },
      });
      let res: Response;
      try {
        res = await doFetch(`${o.apiUrl.replace(/\/+$/, '')}/poll`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ schema: 'json', param }).toString(),
          signal: AbortSignal.timeout(15_000),
        });
      } catch (e) {
        throw new TrackingUnavailableError(`快递100 unreachable: ${(e as Error).message}`);
      }
      const text = await res.text();
      if (!res.ok) throw new TrackingUnavailableError(`快递100 answered HTTP ${res.status}: ${text.slice(0, 200)}`);
      let body: { result?: unknown; returnCode?: unknown; message?: unknown };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        throw new TrackingUnavailableError(`快递100 answer is not JSON: ${text.slice(0, 200)}`);
      }
      const code = String(body.returnCode ?? '');
      const message = typeof body.message === 'string' ? body.message : '';
      if (code === '200' || body.result === true) return { ok: true };
      if (code === '501') return { ok: true, already: true };
      if (['600', '601', '700', '701', '702'].includes(code)) return { ok: false, permanent: true, reason: `快递100 ${code}: ${message}` };
      throw new TrackingUnavailableError(`快递100 ${code || 'error'}: ${message}`);
    },
  };
}

/** 快递100's push signature: MD5 of `param + salt`, upper-case hex (its SDK's SignUtils). */
export function kuaidi100Sign(param: string, salt: string): string {
  return createHash('md5').update(param + salt, 'utf8').digest('hex').toUpperCase();
}
