import { parseJsonLossless } from './lossless-json';

/**
 * A platform API call that failed. `retryable` tells a reconcile job whether to try the same
 * window again later (throttling, 5xx, network) or to stop and tell someone (auth, bad params).
 */
export class PlatformApiError extends Error {
  /** The platform's own message, without our prefix (shown on cards as the platform said it). */
  readonly detail: string;
  constructor(
    readonly platform: string,
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    /** Retry-After of a 429, in ms, when the platform sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(`${platform} API error ${code}: ${message}`);
    this.name = 'PlatformApiError';
    this.detail = message;
  }
}

export interface HttpOptions {
  /** Defaults to global fetch (nock ≥ 14 intercepts it in tests). */
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Sends a request and parses the JSON answer losslessly (19-digit ids stay strings). */
export async function requestJson(platform: string, url: string, init: RequestInit, opts: HttpOptions = {}): Promise<unknown> {
  const doFetch = opts.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, { ...init, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
  } catch (e) {
    throw new PlatformApiError(platform, 'network', (e as Error).message, true);
  }
  const text = await res.text();
  if (!res.ok) {
    const retryable = res.status === 429 || res.status >= 500;
    const after = Number(res.headers.get('retry-after'));
    throw new PlatformApiError(platform, `http_${res.status}`, text.slice(0, 300), retryable, Number.isFinite(after) && after > 0 ? after * 1000 : undefined);
  }
  try {
    return parseJsonLossless(text);
  } catch {
    throw new PlatformApiError(platform, 'bad_json', `answer is not JSON: ${text.slice(0, 200)}`, true);
  }
}
