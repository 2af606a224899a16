import { userInfo } from 'node:os';
import { ErrorCode, OrderopsError } from '../domain/errors';
import { loadSettings } from './load-file';
import type { Settings } from './settings';

export type Role = 'all' | 'intake' | 'worker';

export interface AppConfig {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  /** Shared secret of `X-Orderops-Signature`; intake answers 503 without it. */
  webhookSecret?: string;
  /** Bearer token of the read API; the API answers 503 without it. */
  apiToken?: string;
  configPath?: string;
  logLevel: string;
  /** Prefix of every BullMQ key, so several installs (or test runs) can share one Redis. */
  queuePrefix: string;
  settings: Settings;
  /** Shop platform app credentials and API base URLs (a stand-in can replace any base URL). */
  platforms: PlatformsConfig;
}

export interface PlatformsConfig {
  douyin: { appKey?: string; appSecret?: string; apiUrl: string };
  /** Shopify's Admin API lives on each shop's domain, so it has no global default. */
  shopify: { webhookSecret?: string; apiUrl?: string };
  taobao: { appKey?: string; appSecret?: string; apiUrl: string };
  pdd: { clientId?: string; clientSecret?: string; apiUrl: string };
  jd: { appKey?: string; appSecret?: string; apiUrl: string };
}

/** The only reader of the environment. Fails fast, with advice, on anything unusable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const port = Number(env.PORT || 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new OrderopsError(ErrorCode.ConfigInvalid, `PORT must be a port number, got "${env.PORT}"`);
  }
  const databaseUrl = withDefaultUser(env.DATABASE_URL || 'postgres://localhost:5432/orderops', env);
  const redisUrl = env.REDIS_URL || 'redis://127.0.0.1:6379';
  for (const [name, url, protocols] of [
    ['DATABASE_URL', databaseUrl, ['postgres:', 'postgresql:']],
    ['REDIS_URL', redisUrl, ['redis:', 'rediss:']],
  ] as const) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OrderopsError(ErrorCode.ConfigInvalid, `${name} is not a URL: "${url}"`);
    }
    if (!(protocols as readonly string[]).includes(parsed.protocol)) {
      throw new OrderopsError(ErrorCode.ConfigInvalid, `${name} must start with ${protocols.join(' or ')}//`);
    }
  }
  return {
    port,
    // Loopback unless told otherwise: expose it through a reverse proxy or with HOST=0.0.0.0.
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    redisUrl,
    webhookSecret: env.ORDER_WEBHOOK_SECRET || undefined,
    apiToken: env.ORDEROPS_API_TOKEN || undefined,
    configPath: env.ORDEROPS_CONFIG || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    queuePrefix: env.ORDEROPS_QUEUE_PREFIX || 'orderops',
    settings: loadSettings(env.ORDEROPS_CONFIG || undefined),
    platforms: readPlatforms(env),
  };
}

function readPlatforms(env: NodeJS.ProcessEnv): PlatformsConfig {
  const url = (name: string, fallback: string | undefined): string | undefined => {
    const v = env[name] || fallback;
    if (v === undefined) return undefined;
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(v).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new OrderopsError(ErrorCode.ConfigInvalid, `${name} must be an http(s) URL, got "${v}"`);
    return v;
  };
  return {
    douyin: { appKey: env.DOUYIN_APP_KEY || undefined, appSecret: env.DOUYIN_APP_SECRET || undefined, apiUrl: url('DOUYIN_API_URL', 'https://openapi-fxg.jinritemai.com')! },
    shopify: { webhookSecret: env.SHOPIFY_WEBHOOK_SECRET || undefined, apiUrl: url('SHOPIFY_API_URL', undefined) },
    taobao: { appKey: env.TAOBAO_APP_KEY || undefined, appSecret: env.TAOBAO_APP_SECRET || undefined, apiUrl: url('TAOBAO_API_URL', 'https://eco.taobao.com/router/rest')! },
    pdd: { clientId: env.PDD_CLIENT_ID || undefined, clientSecret: env.PDD_CLIENT_SECRET || undefined, apiUrl: url('PDD_API_URL', 'https://gw-api.pinduoduo.com/api/router')! },
    jd: { appKey: env.JD_APP_KEY || undefined, appSecret: env.JD_APP_SECRET || undefined, apiUrl: url('JD_API_URL', 'https://api.jd.com/routerjson')! },
  };
}

/**
 * libpq falls back to the login name when a URL names no user; node-postgres reads $USER, which
 * services and CI often lack. Fill it in the way libpq would.
 */
function withDefaultUser(url: string, env: NodeJS.ProcessEnv): string {
  try {
    const u = new URL(url);
    if (u.username || /[?&]user=/.test(u.search)) return url;
    u.username = encodeURIComponent(env.PGUSER || env.USER || userInfo().username);
    return u.toString();
  } catch {
    return url; // reported as not a URL below
  }
}

export type { Settings, StaffMember, StaffRole } from './settings';
