import type { Logger } from 'pino';
import type { Queryable } from '../../db/pool';
import { appIdOf, sameSecret, tokenOf, type FeishuEnvelope } from './feishu-verify';

/** A callback's answer (`{}` = no change); an event's answer is ignored by Feishu beyond 200. */
export type InboundAnswer = { status: 200; body: Record<string, unknown> } | { status: 401 | 500; body: Record<string, unknown> };

export interface InboundHandlers {
  /** card.action.trigger: answer within 3 s with a toast and/or the re-rendered card. */
  cardAction(envelope: FeishuEnvelope): Promise<Record<string, unknown>>;
  /** im.message.receive_v1: group commands. */
  message(envelope: FeishuEnvelope): Promise<void>;
  /** What a card click answers when its handler failed. */
  failedCardAnswer(): Record<string, unknown>;
  /** What a card click answers when its handler is still running near Feishu's 3-second limit. */
  slowCardAnswer(): Record<string, unknown>;
}

export interface InboundDeps {
  pool: Queryable;
  logger: Logger;
  appId: string;
  verificationToken?: string;
  handlers: InboundHandlers;
  /** Answer a click by then even if the action is still running (Feishu gives up at 3 s). */
  cardDeadlineMs?: number;
  /** Delivery ids are kept this long (Feishu redelivers an event for hours). */
  keepDays?: number;
}

/**
 * Verified envelopes, from HTTP or the long connection, to their handler — each `event_id` once.
 * The delivery is recorded before the handler runs; if the handler fails the record is removed
 * again so Feishu's redelivery (events) or the user's next click (callbacks) gets a fresh try.
 */
export class FeishuInbound {
  constructor(private readonly deps: InboundDeps) {}

  async dispatch(envelope: FeishuEnvelope, transport: 'http' | 'ws'): Promise<InboundAnswer> {
    const header = (envelope.header ?? {}) as { event_id?: unknown; event_type?: unknown };
    if (envelope.schema !== '2.0' || typeof header.event_type !== 'string') {
      // v1 events and legacy message-card callbacks: nothing here subscribes to them.
      return { status: 200, body: {} };
    }
    if (transport === 'ws') {
      // The socket was authenticated with the app secret; still refuse what is not for this app.
      const appId = appIdOf(envelope);
      const token = tokenOf(envelope);
      if ((appId !== undefined && appId !== this.deps.appId) || (token && this.deps.verificationToken && !sameSecret(token, this.deps.verificationToken))) {
        this.deps.logger.warn({ transport, appId }, 'feishu event refused: not for this app');
        return { status: 401, body: {} };
      }
    }
    const type = header.event_type;
    const eventId = typeof header.event_id === 'string' && header.event_id ? header.event_id : undefined;
    if (type !== 'card.action.trigger' && type !== 'im.message.receive_v1') return { status: 200, body: {} };
    if (eventId && !(await this.claim(eventId))) {
      this.deps.logger.debug({ eventId, type }, 'feishu delivery already handled');
      return { status: 200, body: {} };
    }
    this.prune();
    const run = async (): Promise<InboundAnswer> => {
      try {
        if (type === 'card.action.trigger') return { status: 200, body: await this.deps.handlers.cardAction(envelope) };
        await this.deps.handlers.message(envelope);
        return { status: 200, body: {} };
      } catch (err) {
        if (eventId) await this.release(eventId).catch(() => undefined);
        this.deps.logger.error({ err, eventId, type }, 'feishu handler failed');
        return type === 'card.action.trigger' ? { status: 200, body: this.deps.handlers.failedCardAnswer() } : { status: 500, body: {} };
      }
    };
    if (type !== 'card.action.trigger') return run();
    // The action keeps running past the deadline; the card.sync job then PATCHes the card.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<InboundAnswer>((resolve) => {
      timer = setTimeout(() => resolve({ status: 200, body: this.deps.handlers.slowCardAnswer() }), this.deps.cardDeadlineMs ?? 2500);
    });
    try {
      return await Promise.race([run(), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private lastPrune = 0;

  private prune(): void {
    if (Date.now() - this.lastPrune < 3_600_000) return;
    this.lastPrune = Date.now();
    this.deps.pool
      .query(`DELETE FROM chat_deliveries WHERE platform = 'feishu' AND received_at < now() - make_interval(days => $1)`, [this.deps.keepDays ?? 3])
      .catch((err: unknown) => this.deps.logger.debug({ err: (err as Error).message }, 'pruning feishu chat_deliveries failed'));
  }

  private async claim(eventId: string): Promise<boolean> {
    const r = await this.deps.pool.query(
      `INSERT INTO chat_deliveries (platform, delivery_id) VALUES ('feishu', $1) ON CONFLICT DO NOTHING`,
      [eventId.slice(0, 200)],
    );
    return (r.rowCount ?? 0) > 0;
  }

  private async release(eventId: string): Promise<void> {
    await this.deps.pool.query(`DELETE FROM chat_deliveries WHERE platform = 'feishu' AND delivery_id = $1`, [eventId.slice(0, 200)]);
  }
}
