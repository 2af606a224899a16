import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { performExceptionAction, type ActionInput } from '../../../actions/exception-actions';
import { decodeButtonValue } from '../../../integrations/slack/blocks/button-value';
import type { SlackDeps } from '../slack-deps';

export const CARD_ACTIONS = /^exception\.(claim|approve|escalate|resolve)$/;

/**
 * Claim, Approve, Escalate, Resolve: ack at once, run the use case, tell the clicker privately.
 * The card itself is never patched here: the action re-renders every copy from Postgres.
 */
export function registerExceptionActions(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(CARD_ACTIONS, async ({ ack, body, action }) => {
    await ack();
    const channel = (body.container?.channel_id as string | undefined) ?? body.channel?.id;
    const ref = decodeButtonValue(action.value);
    if (!ref) {
      if (channel) await deps.port.replyPrivately({ channel, userId: body.user.id }, { key: 'notice.not_found' });
      return;
    }
    const result = await performExceptionAction(deps.actions, {
      action: action.action_id as ActionInput['action'],
      exceptionId: ref.exceptionId,
      version: ref.version,
      user: { platform: 'slack', userId: body.user.id, name: body.user.username },
      via: 'slack',
    });
    if (channel) await deps.port.replyPrivately({ channel, userId: body.user.id }, result.notice);
  });
}
