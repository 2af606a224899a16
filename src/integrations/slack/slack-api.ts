import { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { ChatDeliveryError } from '../../domain/errors';
import { isAmbiguous, toChatDeliveryError } from './error-table';
import { realTimer, type Timer } from './pacer';
import { toSlackLogger } from './slack-logger';

export interface SlackApiOptions {
  token: string;
  /** Base URL of the Web API (SLACK_API_URL), so a local stand-in can replace Slack. */
  apiUrl: string;
  logger: Logger;
  /** Attempts per call, the first included (429s and 5xx/network errors are retried). */
  maxAttempts?: number;
  /** A Retry-After longer than this is not waited out here: the caller (a queued job) backs off instead. */
  maxInlineWaitMs?: number;
  /** First backoff after a 5xx or network error; doubles per attempt. */
  backoffMs?: number;
  timeoutMs?: number;
  timer?: Timer;
  /** A fetch to use instead of the global one (unit tests). */
  fetch?: webApi.FetchFunction;
}

export interface CallPolicy {
  /**
   * May a failure that could have taken effect on Slack's side (5xx, timeout) be retried blindly?
   * chat.update may; chat.postMessage may not (it would post twice): it passes `lookup` instead.
   */
  idempotent: boolean;
  /** After an ambiguous failure, look for the effect before retrying; found → that is the result. */
  lookup?: () => Promise<webApi.WebAPICallResult | undefined>;
  /** Attempts for this call (views.open's trigger lives 3 s: one attempt). */
  maxAttempts?: number;
  /**
   * What a 429 blocks (default: the method). chat.postMessage is limited per channel, so a post
   * passes `chat.postMessage:<channel>` and a storm in one channel does not hold back the others.
   */
  rateKey?: string;
  /** Wait for the caller's pacer before every attempt, retries included, so a retry never jumps the queue. */
  pace?: () => Promise<void>;
  /** Told the Retry-After of a 429, so the caller's pacer holds the key that long too. */
  onRateLimited?: (retryAfterMs: number) => void;
}

/**
 * The Web API with the retry rules orderops needs, over @slack/web-api's WebClient (whose own
 * retries are off, so every wait is decided here and bounded): a 429 waits its Retry-After and
 * holds back other calls under the same rate key (the method, or a post's channel) meanwhile; 5xx and network errors back off
 * exponentially; errors leave as `ChatDeliveryError` classified by the error table.
 */
export class SlackApi {
  readonly client: webApi.WebClient;
  private readonly blockedUntil = new Map<string, number>();
  private readonly timer: Timer;
  private readonly maxAttempts: number;
  private readonly maxInlineWaitMs: number;
  private readonly backoffMs: number;

  constructor(private readonly opts: SlackApiOptions) {
    this.timer = opts.timer ?? realTimer;
    this.maxAttempts = opts.maxAttempts ?? 4;
    this.maxInlineWaitMs = opts.maxInlineWaitMs ?? 10_000;
    this.backoffMs = opts.backoffMs ?? 500;
    this.client = new webApi.WebClient(opts.token, {
      slackApiUrl: opts.apiUrl,
      logger: toSlackLogger(opts.logger, 'slack-web-api'),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: opts.timeoutMs ?? 10_000,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
  }

  async call<T extends webApi.WebAPICallResult = webApi.WebAPICallResult>(method: string, args: Record<string, unknown>, policy: CallPolicy): Promise<T> {
    const attempts = policy.maxAttempts ?? this.maxAttempts;
    const rateKey = policy.rateKey ?? method;
    for (let attempt = 1; ; attempt++) {
      await this.waitForMethod(rateKey);
      if (policy.pace) await policy.pace();
      try {
        return (await this.client.apiCall(method, args)) as T;
      } catch (e) {
        const err = toChatDeliveryError(e, method);
        const last = attempt >= attempts;
        if (err.kind === 'rate_limited') {
          const wait = err.retryAfterMs ?? 1000;
          this.blockedUntil.set(rateKey, Math.max(this.blockedUntil.get(rateKey) ?? 0, this.timer.now() + wait));
          policy.onRateLimited?.(wait);
          if (last || wait > this.maxInlineWaitMs) throw err;
          this.opts.logger.info({ method, rateKey, retryAfterMs: wait, attempt }, 'Slack rate limit: waiting as told');
          continue; // waitForMethod sleeps until the block lifts
        }
        if (err.kind !== 'transient' || last) throw err;
        if (isAmbiguous(e)) {
          if (policy.lookup) {
            const found = await policy.lookup().catch(() => undefined);
            if (found) return found as T;
          } else if (!policy.idempotent) throw err;
        }
        const wait = this.backoffMs * 2 ** (attempt - 1);
        this.opts.logger.info({ method, err: err.message, attempt, waitMs: wait }, 'Slack call failed: retrying');
        await this.timer.sleep(wait);
      }
    }
  }

  private async waitForMethod(rateKey: string): Promise<void> {
    for (;;) {
      const until = this.blockedUntil.get(rateKey);
      const wait = until === undefined ? 0 : until - this.timer.now();
      if (wait <= 0) {
        this.blockedUntil.delete(rateKey);
        return;
      }
      if (wait > this.maxInlineWaitMs) throw new ChatDeliveryError('rate_limited', `${rateKey}: rate limited for another ${Math.ceil(wait / 1000)}s`, wait);
      await this.timer.sleep(wait);
    }
  }
}
