import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { decodeDecisionValue } from '../../../integrations/slack/blocks/button-value';
import type { SlackDeps } from '../slack-deps';

/** "Offer to the incoming shift" on a handoff card: the shared use case decides; the clicker is told privately. */
export function registerHandoffActions(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>('handoff.offer', async ({ ack, body, action }) => {
    await ack();
    const channel = (body.container?.channel_id as string | undefined) ?? body.channel?.id;
    const ref = decodeDecisionValue(action.value);
    const offer = deps.front.handoffs?.offer;
    if (!ref || !offer) {
      if (channel) await deps.port.replyPrivately({ channel, userId: body.user.id }, { key: 'handoff.notice.not_found' });
      return;
    }
    const r = await offer({ handoffId: ref.requestId, version: ref.version, user: { platform: 'slack', userId: body.user.id, name: body.user.username }, via: 'slack' });
    if (channel) await deps.port.replyPrivately({ channel, userId: body.user.id }, r.notice);
  });
}
