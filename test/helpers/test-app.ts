import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createApp, type App, type AppOptions } from '../../src/app';
import { readConfig } from '../../src/config';
import { signBody } from '../../src/integrations/platforms/generic/signature';

export const TEST_SECRET = 'test-webhook-secret';
export const TEST_TOKEN = 'test-api-token';

export function testEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: process.env.TEST_DATABASE_URL,
    REDIS_URL: process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379',
    ORDER_WEBHOOK_SECRET: TEST_SECRET,
    ORDEROPS_API_TOKEN: TEST_TOKEN,
    // Each app gets its own queue namespace: tests never see each other's jobs.
    ORDEROPS_QUEUE_PREFIX: `test-${randomUUID().slice(0, 8)}`,
    PORT: '0',
    HOST: '127.0.0.1',
    ...extra,
  };
}

export interface TestApp extends App {
  url: string;
}

export async function startTestApp(extraEnv: NodeJS.ProcessEnv = {}, opts: AppOptions = {}): Promise<TestApp> {
  const config = readConfig(testEnv(extraEnv));
  const app = await createApp(config, { logger: pino({ level: process.env.TEST_LOG_LEVEL || 'silent' }), ...opts });
  const url = await app.listen();
  return Object.assign(app, { url });
}

/** A unique order id per test, so tests own their data. */
export const uid = (prefix = 'T'): string => `${prefix}-${randomUUID()}`;

export function genericOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: uid('GEN'),
    channel: 'douyin',
    shop: 'home-flagship',
    created_at: '2026-01-08T20:01:02+08:00',
    status: 'paid',
    buyer: { name: '王五', phone: '13812345678', vip: false },
    address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号3幢501室' },
    items: [{ sku: 'LAMP-01', qty: 1, price: '599.00' }],
    total: '599.00',
    paid: '599.00',
    currency: 'CNY',
    remark: '',
    presale: false,
    logistics: { intercepted: false },
    ...overrides,
  };
}

export async function postOrders(
  url: string,
  body: unknown,
  opts: { secret?: string | null; signature?: string; raw?: string } = {},
): Promise<{ status: number; json: any; headers: Headers }> {
  const raw = opts.raw ?? JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const secret = opts.secret === undefined ? TEST_SECRET : opts.secret;
  if (opts.signature !== undefined) headers['x-orderops-signature'] = opts.signature;
  else if (secret !== null) headers['x-orderops-signature'] = signBody(secret, raw);
  const res = await fetch(`${url}/webhooks/orders/generic`, { method: 'POST', headers, body: raw });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}

export async function apiGet(url: string, path: string, token: string | null = TEST_TOKEN): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, json: await res.json() };
}

/** Poll until `check` returns a value (not undefined), or fail after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
