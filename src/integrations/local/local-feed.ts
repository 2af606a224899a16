import pg from 'pg';
import type { Logger } from 'pino';
import { LOCAL_NOTIFY_CHANNEL, type LocalNotification } from './local-store';

export type FeedEvent = LocalNotification | { t: 'resync' };

/**
 * One dedicated Postgres connection LISTENing for local-channel changes, fanned out to this
 * process's subscribers (open pages). Any copy of the bot may write a card; every copy hears it.
 * After a lost connection it reconnects with backoff and tells subscribers to resync, since
 * notifications sent meanwhile are gone.
 */
export class LocalFeed {
  private client: pg.Client | undefined;
  private readonly subscribers = new Set<(e: FeedEvent) => void>();
  private stopped = false;
  private retryMs = 500;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly logger: Logger,
  ) {}

  /** Resolves once listening (or after the first failure, retrying in the background). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect(false);
  }

  subscribe(fn: (e: FeedEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  get listening(): boolean {
    return this.client !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private async connect(resync: boolean): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('notification', (msg) => {
      if (msg.channel !== LOCAL_NOTIFY_CHANNEL || !msg.payload) return;
      let event: LocalNotification;
      try {
        event = JSON.parse(msg.payload) as LocalNotification;
      } catch {
        return;
      }
      this.emit(event);
    });
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn({ err: err?.message }, 'local channel: lost the Postgres LISTEN connection; reconnecting');
      this.schedule();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${LOCAL_NOTIFY_CHANNEL}`);
      if (this.stopped) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.retryMs = 500;
      if (resync) this.emit({ t: 'resync' });
    } catch (err) {
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn({ err: (err as Error).message }, 'local channel: cannot LISTEN for live updates yet; retrying');
      this.schedule();
    }
  }

  private schedule(): void {
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
    this.timer = setTimeout(() => void this.connect(true), wait);
    this.timer.unref();
  }

  private emit(e: FeedEvent): void {
    for (const fn of this.subscribers) {
      try {
        fn(e);
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'local channel: a live-update subscriber failed');
      }
    }
  }
}
