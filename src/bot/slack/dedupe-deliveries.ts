import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Queryable } from '../../db/pool';
import { OPEN_ADDRESS_FORM } from './listeners/fix-address-action';

/**
 * The delivery id of a request that must cause its side effect once: an Events API event
 * (`event_id`, the same on every `X-Slack-Retry-Num` redelivery) or a button click (user, message
 * and action timestamp). The Fix address button is left out: its trigger_id must reach
 * views.open before any database round trip, and opening a form twice changes nothing.
 */
export function deliveryId(body: Record<string, unknown>): string | undefined {
  if (body.type === 'event_callback' && typeof body.event_id === 'string') return `event:${body.event_id}`;
  if (body.type === 'block_actions') {
    const b = body as { user?: { id?: string }; container?: { message_ts?: string }; actions?: { action_id?: string; action_ts?: string }[] };
    const a = b.actions?.[0];
    if (!a?.action_ts || !b.user?.id || a.action_id === OPEN_ADDRESS_FORM) return undefined;
    return `action:${b.user.id}:${b.container?.message_ts ?? ''}:${a.action_id}:${a.action_ts}`;
  }
  return undefined;
}

/** Record a delivery; false when it was already recorded (a redelivery). */
export async function claimDelivery(db: Queryable, id: string): Promise<boolean> {
  const res = await db.query(`INSERT INTO chat_deliveries (platform, delivery_id) VALUES ('slack', $1) ON CONFLICT DO NOTHING`, [id]);
  return res.rowCount === 1;
}

/**
 * Global Bolt middleware (HTTP and Socket Mode alike): a redelivered event or click is
 * acknowledged and dropped before any listener runs. Old ids are pruned now and then.
 */
export function dedupeDeliveries(db: Queryable, logger: Logger, keepDays = 3): Middleware<AnyMiddlewareArgs> {
  let lastPrune = 0;
  return async (args) => {
    const id = deliveryId(args.body as Record<string, unknown>);
    if (id && !(await claimDelivery(db, id))) {
      logger.info({ deliveryId: id, retryNum: args.context.retryNum, retryReason: args.context.retryReason }, 'dropped a repeated Slack delivery');
      const ack = (args as { ack?: () => Promise<void> }).ack;
      if (ack) await ack();
      return;
    }
    if (id && Date.now() - lastPrune > 3_600_000) {
      lastPrune = Date.now();
      db.query(`DELETE FROM chat_deliveries WHERE platform = 'slack' AND received_at < now() - make_interval(days => $1)`, [keepDays]).catch(
        (err: unknown) => logger.debug({ err: (err as Error).message }, 'pruning chat_deliveries failed'),
      );
    }
    await args.next();
  };
}
