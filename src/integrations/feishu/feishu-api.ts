import * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';
import { classifyFeishuError, FeishuApiError } from './feishu-errors';
import { FEISHU_PACE, Pacer } from './pacer';

/**
 * The tenant-token cache handed to the SDK's Client (instead of its process-wide `internalCache`),
 * so a token Feishu says is revoked can be dropped at once rather than kept until it expires.
 */
export class TokenCache implements lark.Cache {
  private readonly entries = new Map<string, { value: unknown; expire?: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async set(key: string | Symbol, value: unknown, expire?: number, options?: { namespace?: string }): Promise<boolean> {
    this.entries.set(this.key(key, options), { value, expire });
    return true;
  }

  async get(key: string | Symbol, options?: { namespace?: string }): Promise<unknown> {
    const k = this.key(key, options);
    const e = this.entries.get(k);
    if (!e) return undefined;
    if (e.expire !== undefined && e.expire <= this.now()) {
      this.entries.delete(k);
      return undefined;
    }
    return e.value;
  }

  /** Forget every cached token (the next call fetches a fresh one). */
  clear(): void {
    this.entries.clear();
  }

  private key(key: string | Symbol, options?: { namespace?: string }): string {
    return `${options?.namespace ?? ''}\u0000${String(key)}`;
  }
}

export interface FeishuApiOptions {
  appId: string;
  appSecret: string;
  /** `feishu`, `lark` or a base URL. */
  domain: string;
  logger: Logger;
  /** Rate-limited calls are retried in place this many times in all, when Feishu's reset is short. */
  rateLimitAttempts?: number;
  /** Longer resets are not waited out here: the error goes to the caller (the job backs off). */
  maxRateLimitWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  pacer?: Pacer;
}

export type ReceiveIdType = 'chat_id' | 'open_id' | 'union_id' | 'user_id' | 'email';

export interface SentMessage {
  messageId: string;
  chatId: string;
}

export function larkDomain(domain: string): lark.Domain | string {
  if (domain === 'feishu') return lark.Domain.Feishu;
  if (domain === 'lark') return lark.Domain.Lark;
  return domain.replace(/\/+$/, '');
}

/**
 * The Open API calls this bot makes, through the SDK's Client, with what the SDK leaves out:
 * non-zero codes become typed errors (table in feishu-errors.ts), a revoked tenant token is
 * refreshed and the call retried once, rate limits are waited out (bounded), and sends are paced.
 */
export class FeishuApi {
  readonly client: lark.Client;
  readonly tokens = new TokenCache();
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly pacer: Pacer;
  private readonly attempts: number;
  private readonly maxWaitMs: number;

  constructor(private readonly opts: FeishuApiOptions) {
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.pacer = opts.pacer ?? new Pacer();
    this.attempts = opts.rateLimitAttempts ?? 3;
    this.maxWaitMs = opts.maxRateLimitWaitMs ?? 5000;
    this.client = new lark.Client({
      appId: opts.appId,
      appSecret: opts.appSecret,
      domain: larkDomain(opts.domain),
      appType: lark.AppType.SelfBuild,
      cache: this.tokens,
      loggerLevel: lark.LoggerLevel.warn,
      logger: sdkLogger(opts.logger),
    });
  }

  /** Run one Open API call with token refresh, bounded rate-limit retries and typed errors. */
  async call<T extends { code?: number; msg?: string }>(what: string, fn: () => Promise<T>): Promise<T> {
    let refreshed = false;
    let rateLimited = 0;
    for (;;) {
      let err: FeishuApiError;
      try {
        const res = await fn();
        if (res && typeof res.code === 'number' && res.code !== 0) throw classifyFeishuError({ response: { status: 200, data: res } }, what);
        return res;
      } catch (e) {
        err = classifyFeishuError(e, what);
      }
      if (err.kind === 'token' && !refreshed) {
        refreshed = true;
        this.tokens.clear();
        this.opts.logger.info({ what, code: err.code }, 'feishu tenant token rejected; fetched a new one and retrying once');
        continue;
      }
      const wait = err.retryAfterMs ?? 1000;
      if (err.kind === 'rate_limited' && ++rateLimited < this.attempts && wait <= this.maxWaitMs) {
        this.opts.logger.debug({ what, code: err.code, wait }, 'feishu rate limit; waiting for the reset');
        await this.sleep(wait);
        continue;
      }
      throw err;
    }
  }

  /** Send a message; `uuid` makes Feishu drop a repeat of the same send (its dedupe window). */
  async send(to: { type: ReceiveIdType; id: string }, msg: { msgType: string; content: string; uuid?: string }): Promise<SentMessage> {
    await this.pacer.wait('app', FEISHU_PACE.appMs);
    await this.pacer.wait(`to:${to.id}`, FEISHU_PACE.chatMs);
    const res = await this.call('message.create', () =>
      this.client.im.v1.message.create({
        params: { receive_id_type: to.type },
        data: { receive_id: to.id, msg_type: msg.msgType, content: msg.content, ...(msg.uuid ? { uuid: msg.uuid } : {}) },
      }),
    );
    return sent(res.data, 'message.create', to.type === 'chat_id' ? to.id : '');
  }

  /** Reply to a message in its chat. */
  async reply(messageId: string, msg: { msgType: string; content: string; uuid?: string }, chatId?: string): Promise<SentMessage> {
    await this.pacer.wait('app', FEISHU_PACE.appMs);
    if (chatId) await this.pacer.wait(`to:${chatId}`, FEISHU_PACE.chatMs);
    const res = await this.call('message.reply', () =>
      this.client.im.v1.message.reply({
        path: { message_id: messageId },
        data: { msg_type: msg.msgType, content: msg.content, ...(msg.uuid ? { uuid: msg.uuid } : {}) },
      }),
    );
    return sent(res.data, 'message.reply', chatId ?? '');
  }

  /**
   * A card in a group that only `openId` sees ("仅对你可见"): `POST /open-apis/ephemeral/v1/send`
   * (no SDK wrapper). Normal groups only: a topic group, a p2p chat or a card the endpoint does not
   * take answer an error, and the caller falls back to a direct message.
   */
  async ephemeral(chatId: string, openId: string, card: object): Promise<string> {
    await this.pacer.wait('app', FEISHU_PACE.appMs);
    await this.pacer.wait(`to:${chatId}`, FEISHU_PACE.chatMs);
    const res = await this.call('ephemeral.send', () =>
      this.client.request<{ code?: number; msg?: string; data?: { message_id?: string } }>({
        url: '/open-apis/ephemeral/v1/send',
        method: 'POST',
        data: { chat_id: chatId, open_id: openId, msg_type: 'interactive', card },
      }),
    );
    if (!res.data?.message_id) throw new FeishuApiError('transient', undefined, 200, 'feishu ephemeral.send answered without data.message_id');
    return res.data.message_id;
  }

  /** Replace a card the bot sent (the card must declare `update_multi`). */
  async patch(messageId: string, content: string): Promise<void> {
    await this.pacer.wait('app', FEISHU_PACE.appMs);
    await this.pacer.wait(`msg:${messageId}`, FEISHU_PACE.messageMs);
    await this.call('message.patch', () => this.client.im.v1.message.patch({ path: { message_id: messageId }, data: { content } }));
  }

  /**
   * 加急: buzz the people on one of the bot's own messages (in-app; SMS and phone cost the
   * tenant's urgency quota). Returns the ids Feishu did not accept.
   */
  async urgent(messageId: string, openIds: string[], kind: 'app' | 'sms' | 'phone' = 'app'): Promise<{ invalidOpenIds: string[] }> {
    if (openIds.length === 0) return { invalidOpenIds: [] };
    await this.pacer.wait('app', FEISHU_PACE.appMs);
    const payload = { path: { message_id: messageId }, params: { user_id_type: 'open_id' as const }, data: { user_id_list: openIds } };
    const m = this.client.im.v1.message;
    const res = await this.call(`message.urgent_${kind}`, () =>
      kind === 'sms' ? m.urgentSms(payload) : kind === 'phone' ? m.urgentPhone(payload) : m.urgentApp(payload),
    );
    return { invalidOpenIds: res.data?.invalid_user_id_list ?? [] };
  }

  /** The bot's own identity (`GET /open-apis/bot/v3/info`). */
  async botInfo(): Promise<{ openId: string; name: string }> {
    const res = await this.call('bot.info', () =>
      this.client.request<{ code?: number; msg?: string; bot?: { open_id?: string; app_name?: string } }>({ url: '/open-apis/bot/v3/info', method: 'GET' }),
    );
    if (!res.bot?.open_id) throw new FeishuApiError('transient', undefined, 200, 'feishu bot.info answered without bot.open_id');
    return { openId: res.bot.open_id, name: res.bot.app_name ?? 'bot' };
  }
}

function sent(data: { message_id?: string; chat_id?: string } | undefined, what: string, chatId: string): SentMessage {
  if (!data?.message_id) throw new FeishuApiError('transient', undefined, 200, `feishu ${what} answered without data.message_id`);
  return { messageId: data.message_id, chatId: data.chat_id ?? chatId };
}

/** The SDK logs whole axios errors (request headers with the bearer token included): keep a line. */
export function sdkLogger(log: Logger): lark.Logger {
  const line = (msg: unknown[]) =>
    msg
      .map((m) => (m instanceof Error ? m.message : typeof m === 'object' && m !== null ? String((m as { message?: unknown }).message ?? '[object]') : String(m)))
      .join(' ')
      .slice(0, 300);
  return {
    error: (...m) => log.debug({ sdk: 'lark' }, line(m)),
    warn: (...m) => log.debug({ sdk: 'lark' }, line(m)),
    info: (...m) => log.trace({ sdk: 'lark' }, line(m)),
    debug: (...m) => log.trace({ sdk: 'lark' }, line(m)),
    trace: (...m) => log.trace({ sdk: 'lark' }, line(m)),
  };
}
