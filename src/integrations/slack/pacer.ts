/** How the pacer waits and reads the time; tests pass a fake. */
export interface Timer {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realTimer: Timer = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A token bucket per key (a channel, a method): `burst` calls at once, then one every
 * `intervalMs`. chat.postMessage allows about one message per second per channel with short
 * bursts, so a storm is spread out here instead of being answered with 429s.
 *
 * @example
 *   const pacer = new Pacer({ intervalMs: 1000, burst: 3 });
 *   await pacer.take('C0123');   // resolves when this channel may take one more message
 */
export class Pacer {
  private readonly next = new Map<string, number>();

  constructor(
    private readonly opts: { intervalMs: number; burst: number },
    private readonly timer: Timer = realTimer,
  ) {}

  /** Reserve the next slot for `key` and wait for it. */
  async take(key: string): Promise<void> {
    const now = this.timer.now();
    const { intervalMs, burst } = this.opts;
    // `next` is when the bucket would be full again minus what is already reserved.
    const earliest = now - (burst - 1) * intervalMs;
    const slot = Math.max(this.next.get(key) ?? earliest, earliest);
    this.next.set(key, slot + intervalMs);
    if (this.next.size > 10_000) this.prune(now);
    const wait = slot - now;
    if (wait > 0) await this.timer.sleep(wait);
  }

  /** How long a `take(key)` made now would wait (ms), without reserving anything. */
  delay(key: string): number {
    const now = this.timer.now();
    const earliest = now - (this.opts.burst - 1) * this.opts.intervalMs;
    return Math.max(0, Math.max(this.next.get(key) ?? earliest, earliest) - now);
  }

  /** The platform said "not before `ms` from now" (a 429's Retry-After): no slot for `key` until then. */
  hold(key: string, ms: number): void {
    const until = this.timer.now() + ms;
    this.next.set(key, Math.max(this.next.get(key) ?? 0, until));
  }

  private prune(now: number): void {
    for (const [k, v] of this.next) if (v < now) this.next.delete(k);
  }
}
