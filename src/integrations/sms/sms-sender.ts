import { createHmac, randomUUID } from 'node:crypto';
import type { SmsConfig } from '../../config';
import { ChatDeliveryError } from '../../domain/errors';
import { aliyunEncode, aliyunSignature } from './aliyun-sign';

import type { SmsSender } from '../../domain/notify/ports';

export type { SmsMessage, SmsSender } from '../../domain/notify/ports';

/** One provider adapter per SMS_PROVIDER; provider errors become typed delivery errors. */
export function smsSender(cfg: SmsConfig, now: () => Date = () => new Date()): SmsSender {
  switch (cfg.provider) {
    case 'aliyun':
      return {
        provider: 'aliyun',
        async send(m) {
          const params: Record<string, string> = {
            AccessKeyId: cfg.accessKeyId, Action: 'SendSms', Format: 'JSON', PhoneNumbers: m.to.replace(/^\+86/, ''),
            RegionId: 'cn-hangzhou', SignName: cfg.signName, SignatureMethod: 'HMAC-SHA1', SignatureNonce: randomUUID(),
            SignatureVersion: '1.0', TemplateCode: cfg.templateCode, TemplateParam: JSON.stringify(m.params),
            Timestamp: now().toISOString().replace(/\.\d{3}Z$/, 'Z'), Version: '2017-05-25',
          };
          const signature = aliyunSignature(params, cfg.accessKeySecret);
          const query = Object.entries({ Signature: signature, ...params }).map(([k, v]) => `${aliyunEncode(k)}=${aliyunEncode(v)}`).join('&');
          const res = await call(`${cfg.apiUrl.replace(/\/?$/, '/')}?${query}`, { method: 'GET' });
          const body = (await res.json().catch(() => ({}))) as { Code?: string; Message?: string; BizId?: string };
          if (res.ok && body.Code === 'OK') return { id: body.BizId ?? '' };
          throw classify(res.status, `aliyun ${body.Code ?? res.status}: ${body.Message ?? ''}`, body.Code === 'isv.BUSINESS_LIMIT_CONTROL' || body.Code === 'Throttling.User');
        },
      };
    case 'twilio':
      return {
        provider: 'twilio',
        async send(m) {
          const url = `${cfg.apiUrl.replace(/\/?$/, '/')}2010-04-01/Accounts/${encodeURIComponent(cfg.accountSid)}/Messages.json`;
          const res = await call(url, {
            method: 'POST',
            headers: {
              authorization: `Basic ${Buffer.from(`${cfg.accountSid}:${cfg.authToken}`).toString('base64')}`,
              'content-type': 'application/x-www-form-urlencoded',
            },
            body: new URLSearchParams({ To: m.to, From: cfg.from, Body: m.text }).toString(),
          });
          const body = (await res.json().catch(() => ({}))) as { sid?: string; message?: string; code?: number };
          if (res.ok && body.sid) return { id: body.sid };
          throw classify(res.status, `twilio ${body.code ?? res.status}: ${body.message ?? ''}`, res.status === 429, res.headers.get('retry-after'));
        },
      };
    case 'webhook':
      return {
        provider: 'webhook',
        async send(m) {
          const body = JSON.stringify({ to: m.to, text: m.text, params: m.params });
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (cfg.secret) headers['x-orderops-signature'] = `sha256=${createHmac('sha256', cfg.secret).update(body).digest('hex')}`;
          const res = await call(cfg.url, { method: 'POST', headers, body });
          if (res.ok) return { id: res.headers.get('x-message-id') ?? '' };
          throw classify(res.status, `sms webhook answered ${res.status}`, res.status === 429, res.headers.get('retry-after'));
        },
      };
  }
}

async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    throw new ChatDeliveryError('transient', `sms provider unreachable: ${(e as Error).message}`);
  }
}

function classify(status: number, message: string, limited: boolean, retryAfter?: string | null): ChatDeliveryError {
  if (limited || status === 429) {
    const s = Number(retryAfter);
    return new ChatDeliveryError('rate_limited', message, Number.isFinite(s) && s > 0 ? s * 1000 : 60_000);
  }
  if (status >= 500 || status === 408) return new ChatDeliveryError('transient', message);
  return new ChatDeliveryError('permanent', message);
}
