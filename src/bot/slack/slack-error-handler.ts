import type { App } from '@slack/bolt';
import { ChatDeliveryError } from '../../domain/errors';
import type { SlackDeps } from './slack-deps';

type ExtendedErrorHandler = Parameters<App['error']>[0];

/**
 * The one place listener failures end up (no try/catch in each listener): logged with what was
 * being handled, and the person who clicked is told privately, so a click never fails silently.
 */
export function slackErrorHandler(deps: SlackDeps): ExtendedErrorHandler {
  return async ({ error, body }) => {
    const cause = (error as { original?: unknown }).original ?? error;
    const b = body as { type?: string; user?: { id?: string }; user_id?: string; container?: { channel_id?: string }; channel?: { id?: string }; actions?: { action_id?: string }[] };
    deps.logger.error(
      { err: (cause as Error).message, kind: cause instanceof ChatDeliveryError ? cause.kind : undefined, type: b.type, action: b.actions?.[0]?.action_id },
      'Slack listener failed',
    );
    const channel = b.container?.channel_id ?? b.channel?.id;
    const user = b.user?.id;
    if (b.type === 'block_actions' && channel && user) {
      await deps.port.replyPrivately({ channel, userId: user }, { key: 'slack.error.generic' }).catch(() => undefined);
    }
  };
}
