import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { fixAddressModal } from '../../../integrations/slack/blocks/address-modal';
import { decodeButtonValue } from '../../../integrations/slack/blocks/button-value';
import type { SlackDeps } from '../slack-deps';

export const OPEN_ADDRESS_FORM = 'exception.fix_address';

/** Fix address: open the form at once. The trigger_id dies after 3 s, so nothing comes first. */
export function registerFixAddressAction(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(OPEN_ADDRESS_FORM, async ({ ack, body, action }) => {
    await ack();
    const channel = (body.container?.channel_id as string | undefined) ?? body.channel?.id;
    const ref = decodeButtonValue(action.value);
    if (!ref) {
      if (channel) await deps.port.replyPrivately({ channel, userId: body.user.id }, { key: 'notice.not_found' });
      return;
    }
    await deps.port.openView(body.trigger_id, fixAddressModal(deps.locale, { ...ref, channel }, cardHeader(body.message)));
  });
}

/** The clicked card's header (our own text, escaped when posted), to say which order this is. */
function cardHeader(message: BlockAction['message']): string | undefined {
  const blocks = (message?.blocks ?? []) as { type?: string; text?: { text?: unknown } }[];
  const header = blocks.find((b) => b.type === 'header')?.text?.text;
  return typeof header === 'string' ? header : undefined;
}
