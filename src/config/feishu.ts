import { ErrorCode, OrderopsError } from '../domain/errors';

/** The Feishu/Lark app: credentials, where its Open API lives, and how events reach us. */
export interface FeishuConfig {
  appId?: string;
  appSecret?: string;
  /** Compared on every inbound event and callback (header.token / token). */
  verificationToken?: string;
  /** Turns on AES-256-CBC bodies and the X-Lark-Signature check. */
  encryptKey?: string;
  /** `feishu`, `lark`, or the base URL of a stand-in (no trailing slash needed). */
  domain: string;
  /** The group chat cards go to when no team route names one (FEISHU_CHAT_ID). */
  chatId?: string;
  /** Receive events over the SDK's WSClient instead of (besides) `POST /feishu/events`. */
  longConnection: boolean;
  /** The bot's own open_id; looked up once with /open-apis/bot/v3/info when not given. */
  botOpenId?: string;
}

/** True when the Feishu front should run: an app id and secret are both set. */
export const feishuEnabled = (c: FeishuConfig): c is FeishuConfig & { appId: string; appSecret: string } =>
  Boolean(c.appId && c.appSecret);

/** FEISHU_* variables → FeishuConfig; fails fast with advice on a half-done setup. */
export function readFeishuConfig(env: NodeJS.ProcessEnv): FeishuConfig {
  const c: FeishuConfig = {
    appId: env.FEISHU_APP_ID || undefined,
    appSecret: env.FEISHU_APP_SECRET || undefined,
    verificationToken: env.FEISHU_VERIFICATION_TOKEN || undefined,
    encryptKey: env.FEISHU_ENCRYPT_KEY || undefined,
    domain: (env.FEISHU_DOMAIN || 'feishu').trim(),
    chatId: env.FEISHU_CHAT_ID || undefined,
    longConnection: ['1', 'true', 'yes'].includes((env.FEISHU_LONG_CONNECTION ?? '').toLowerCase()),
    botOpenId: env.FEISHU_BOT_OPEN_ID || undefined,
  };
  const fail = (msg: string) => {
    throw new OrderopsError(ErrorCode.ConfigInvalid, msg);
  };
  if (!['feishu', 'lark'].includes(c.domain)) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(c.domain).protocol);
    } catch {
      ok = false;
    }
    if (!ok) fail(`FEISHU_DOMAIN must be feishu, lark or an http(s) base URL, got "${c.domain}"`);
  }
  if (Boolean(c.appId) !== Boolean(c.appSecret)) {
    fail('set both FEISHU_APP_ID and FEISHU_APP_SECRET (from the app\'s Credentials page), or neither to turn Feishu off');
  }
  if (c.chatId && !/^oc_[A-Za-z0-9]+$/.test(c.chatId)) fail(`FEISHU_CHAT_ID must be a chat id such as oc_a0553eda9014c201e6969b478895c230, got "${c.chatId}"`);
  if (feishuEnabled(c) && !c.longConnection && !c.verificationToken && !c.encryptKey) {
    fail('Feishu callbacks over HTTP cannot be verified: set FEISHU_VERIFICATION_TOKEN and/or FEISHU_ENCRYPT_KEY (Events & Callbacks → Encryption), or use FEISHU_LONG_CONNECTION=1');
  }
  return c;
}
