/**
 * Spaces out calls so this process stays inside Feishu's published limits: each key (a chat, a
 * message, the whole app) gets at most one call per `intervalMs`. Callers `await wait(key)` and
 * are released in order. In-process only: several copies of the bot can still meet a 429, which
 * the client retries after the reset Feishu names.
 */
export class Pacer {
  private readonly next = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Reserve the next slot for `key` and wait for it. */
  async wait(key: string, intervalMs: number): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.next.get(key) ?? 0);
    this.next.set(key, at + intervalMs);
    if (this.next.size > 10_000) this.prune(now);
    if (at > now) await this.sleep(at - now);
  }

  private prune(now: number): void {
    for (const [k, t] of this.next) if (t < now) this.next.delete(k);
  }
}

/** Feishu limits (im/v1/messages): 5 QPS per chat and per user shared by all bots, 50/s per app; PATCH 5 QPS per message. */
export const FEISHU_PACE = {
  appMs: 20,
  chatMs: 220,
  messageMs: 220,
} as const;
