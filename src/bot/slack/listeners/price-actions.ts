import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { decodeDecisionValue } from '../../../integrations/slack/blocks/button-value';
import type { SlackDeps } from '../slack-deps';

export const PRICE_ACTIONS = /^(price\.(approve|reject|retry|confirm_push)|report\.push_master)$/;

/** Approve / Reject / Retry / Push now on a price-change card: the shared use cases decide; the clicker is told privately. */
export function registerPriceActions(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(PRICE_ACTIONS, async ({ ack, body, action }) => {
    await ack();
    const channel = (body.container?.channel_id as string | undefined) ?? body.channel?.id;
    const ref = decodeDecisionValue(action.value);
    if (!ref) {
      if (channel) await deps.port.replyPrivately({ channel, userId: body.user.id }, { key: 'inventory.notice.price_not_found' });
      return;
    }
    const result = await deps.inventory.handlePriceAction({
      action: action.action_id,
      requestId: ref.requestId,
      version: ref.version,
      user: { platform: 'slack', userId: body.user.id, name: body.user.username },
      via: 'slack',
    });
    if (channel) await deps.port.replyPrivately({ channel, userId: body.user.id }, result.notice);
  });
}
