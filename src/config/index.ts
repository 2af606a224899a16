import { userInfo } from 'node:os';
import { ErrorCode, OrderopsError } from '../domain/errors';
import { loadSettings } from './load-file';
import { readFeishuConfig, type FeishuConfig } from './feishu';
import { readLocalConfig, type LocalChannelConfig } from './local';
import type { Settings } from './settings';

export type Role = 'all' | 'intake' | 'worker';

export type SmsConfig =
  | { provider: 'aliyun'; apiUrl: string; accessKeyId: string; accessKeySecret: string; signName: string; templateCode: string }
  | { provider: 'twilio'; apiUrl: string; accountSid: string; authToken: string; from: string }
  | { provider: 'webhook'; url: string; secret?: string };

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
  /** The Feishu/Lark app (FEISHU_*); the front is off without an app id and secret. */
  feishu: FeishuConfig;
  /** Slack front; enabled when botToken and signingSecret (or appToken for Socket Mode) are set. */
  slack: {
    botToken?: string;
    signingSecret?: string;
    appToken?: string;
    apiUrl: string;
    /** Fallback channel when no team route names one. */
    channel?: string;
    /** The app's id (A…) and workspace (T…) requests must name; learned from auth.test when unset. */
    appId?: string;
    teamId?: string;
  };
  /** The built-in local web channel: on when no chat credentials are set, or when forced (ORDEROPS_LOCAL_CHANNEL). */
  local: LocalChannelConfig;
  /** Outgoing email for escalations (nodemailer URL, e.g. smtp://user:pass@mail:587); off when unset. */
  smtp?: { url: string; from: string };
  /** SMS provider for escalations; off when unset. */
  sms?: SmsConfig;
  /** Base URL people reach the bot at (links in cards), e.g. https://ops.example.com. */
  publicUrl?: string;
  /** Each configured shop's access token, by shop id, read from the env var its `token_env` names (absent when unset). */
  shopTokens: Record<string, string>;
  /** The HMAC secret of the outbound ERP webhook (from the env var `erp_webhook.secret_env` names). */
  erpWebhookSecret?: string;
  /**
   * 快递100: `salt` verifies its pushes to /webhooks/tracking/kuaidi100 (KUAIDI100_SALT); with `key`
   * (KUAIDI100_KEY) and a callback URL the bot also subscribes each shipped parcel.
   */
  kuaidi100: { salt?: string; key?: string; apiUrl: string; callbackUrl?: string };
}

export interface PlatformsConfig {
  douyin: { appKey?: string; appSecret?: string; apiUrl: string };
  /** Shopify's Admin API lives on each shop's domain, so it has no global default. */
  shopify: { webhookSecret?: string; apiUrl?: string };
  taobao: { appKey?: string; appSecret?: string; apiUrl: string };
  pdd: { clientId?: string; clientSecret?: string; apiUrl: string; messageUrl: string };
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
  const settings = loadSettings(env.ORDEROPS_CONFIG || undefined);
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
    settings,
    platforms: readPlatforms(env),
    feishu: readFeishuConfig(env),
    slack: {
      botToken: env.SLACK_BOT_TOKEN || undefined,
      signingSecret: env.SLACK_SIGNING_SECRET || undefined,
      appToken: env.SLACK_APP_TOKEN || undefined,
      apiUrl: env.SLACK_API_URL || 'https://slack.com/api/',
      channel: env.SLACK_CHANNEL || undefined,
      appId: env.SLACK_APP_ID || undefined,
      teamId: env.SLACK_TEAM_ID || undefined,
    },
    local: readLocalConfig(env),
    smtp: env.SMTP_URL ? { url: env.SMTP_URL, from: env.SMTP_FROM || 'orderops <orderops@localhost>' } : undefined,
    sms: readSms(env),
    publicUrl: env.ORDEROPS_PUBLIC_URL || undefined,
    erpWebhookSecret: erpSecret(settings, env),
    kuaidi100: readKuaidi100(env),
    shopTokens: Object.fromEntries(
      settings.shops.flatMap((s) => (s.tokenEnv && env[s.tokenEnv] ? [[s.id, env[s.tokenEnv]!] as const] : [])),
    ),
  };
}

/** The outbound webhook is always signed: a configured URL without its secret stops the start. */
function erpSecret(settings: Settings, env: NodeJS.ProcessEnv): string | undefined {
  const w = settings.erpWebhook;
  if (!w) return undefined;
  const secret = env[w.secretEnv];
  if (!secret) {
    throw new OrderopsError(ErrorCode.ConfigInvalid, `erp_webhook.url is set but the environment variable ${w.secretEnv} (its signing secret) is empty: set it, or name another with erp_webhook.secret_env`);
  }
  return secret;
}

function readKuaidi100(env: NodeJS.ProcessEnv): AppConfig['kuaidi100'] {
  const publicUrl = env.ORDEROPS_PUBLIC_URL?.replace(/\/+$/, '');
  const callbackUrl = env.KUAIDI100_CALLBACK_URL || (publicUrl ? `${publicUrl}/webhooks/tracking/kuaidi100` : undefined);
  for (const [name, v] of [['KUAIDI100_API_URL', env.KUAIDI100_API_URL], ['KUAIDI100_CALLBACK_URL', callbackUrl]] as const) {
    if (v && !/^https?:\/\//.test(v)) throw new OrderopsError(ErrorCode.ConfigInvalid, `${name} must be an http(s) URL, got "${v}"`);
  }
  return { salt: env.KUAIDI100_SALT || undefined, key: env.KUAIDI100_KEY || undefined, apiUrl: env.KUAIDI100_API_URL || 'https://poll.kuaidi100.com', callbackUrl };
}

function readPlatforms(env: NodeJS.ProcessEnv): PlatformsConfig {
  const url = (name: string, fallback: string | undefined, kind: 'http' | 'ws' = 'http'): string | undefined => {
    const v = env[name] || fallback;
    if (v === undefined) return undefined;
    let ok = false;
    try {
      ok = (kind === 'ws' ? ['ws:', 'wss:'] : ['http:', 'https:']).includes(new URL(v).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new OrderopsError(ErrorCode.ConfigInvalid, `${name} must be a${kind === 'ws' ? ' ws(s)' : 'n http(s)'} URL, got "${v}"`);
    return v;
  };
  return {
    douyin: { appKey: env.DOUYIN_APP_KEY || undefined, appSecret: env.DOUYIN_APP_SECRET || undefined, apiUrl: url('DOUYIN_API_URL', 'https://openapi-fxg.jinritemai.com')! },
    shopify: { webhookSecret: env.SHOPIFY_WEBHOOK_SECRET || undefined, apiUrl: url('SHOPIFY_API_URL', undefined) },
    taobao: { appKey: env.TAOBAO_APP_KEY || undefined, appSecret: env.TAOBAO_APP_SECRET || undefined, apiUrl: url('TAOBAO_API_URL', 'https://eco.taobao.com/router/rest')! },
    pdd: { clientId: env.PDD_CLIENT_ID || undefined, clientSecret: env.PDD_CLIENT_SECRET || undefined, apiUrl: url('PDD_API_URL', 'https://gw-api.pinduoduo.com/api/router')!,
      messageUrl: url('PDD_MESSAGE_URL', 'wss://message-api.pinduoduo.com', 'ws')! },
    jd: { appKey: env.JD_APP_KEY || undefined, appSecret: env.JD_APP_SECRET || undefined, apiUrl: url('JD_API_URL', 'https://api.jd.com/routerjson')! },
  };
}

function readSms(env: NodeJS.ProcessEnv): SmsConfig | undefined {
  const provider = env.SMS_PROVIDER;
  if (!provider) return undefined;
  const need = (names: string[]) => {
    const missing = names.filter((n) => !env[n]);
    if (missing.length > 0) throw new OrderopsError(ErrorCode.ConfigInvalid, `SMS_PROVIDER=${provider} needs ${missing.join(', ')}`);
  };
  switch (provider) {
    case 'aliyun':
      need(['ALIYUN_ACCESS_KEY_ID', 'ALIYUN_ACCESS_KEY_SECRET', 'ALIYUN_SMS_SIGN_NAME', 'ALIYUN_SMS_TEMPLATE_CODE']);
      return {
        provider, apiUrl: env.SMS_API_URL || 'https://dysmsapi.aliyuncs.com/',
        accessKeyId: env.ALIYUN_ACCESS_KEY_ID!, accessKeySecret: env.ALIYUN_ACCESS_KEY_SECRET!,
        signName: env.ALIYUN_SMS_SIGN_NAME!, templateCode: env.ALIYUN_SMS_TEMPLATE_CODE!,
      };
    case 'twilio':
      need(['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM']);
      return {
        provider, apiUrl: env.SMS_API_URL || 'https://api.twilio.com/',
        accountSid: env.TWILIO_ACCOUNT_SID!, authToken: env.TWILIO_AUTH_TOKEN!, from: env.TWILIO_FROM!,
      };
    case 'webhook':
      need(['SMS_API_URL']);
      return { provider, url: env.SMS_API_URL!, secret: env.SMS_WEBHOOK_SECRET || undefined };
    default:
      throw new OrderopsError(ErrorCode.ConfigInvalid, `SMS_PROVIDER must be aliyun, twilio or webhook (got "${provider}")`);
  }
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
