import type { App, ViewSubmitAction } from '@slack/bolt';
import { fixAddress } from '../../../actions/fix-address';
import { addressErrors, FIX_ADDRESS_CALLBACK, noticeModal, parseAddressMeta, readAddress } from '../../../integrations/slack/blocks/address-modal';
import { noticeText } from '../../../integrations/slack/mrkdwn';
import type { SlackDeps } from '../slack-deps';

/**
 * The submitted Fix address form: field errors keep the form open (`response_action: errors`,
 * keyed by input block_id); a clean address closes it, and the card follows through the job.
 */
export function registerFixAddressView(app: App, deps: SlackDeps): void {
  app.view<ViewSubmitAction>(FIX_ADDRESS_CALLBACK, async ({ ack, body, view }) => {
    const meta = parseAddressMeta(view.private_metadata);
    if (!meta) {
      await ack({ response_action: 'update', view: noticeModal(deps.locale, noticeText(deps.locale, { key: 'notice.not_found' })) });
      return;
    }
    const result = await fixAddress(
      { ...deps.actions, rules: deps.rules },
      {
        exceptionId: meta.exceptionId,
        version: meta.version,
        user: { platform: 'slack', userId: body.user.id, name: body.user.name },
        via: 'slack',
        address: readAddress(view.state.values as Record<string, Record<string, { value?: string | null }>>),
      },
    );
    if (!result.ok) {
      if (result.fieldErrors) await ack({ response_action: 'errors', errors: addressErrors(result.fieldErrors, deps.locale) });
      else await ack({ response_action: 'update', view: noticeModal(deps.locale, noticeText(deps.locale, result.notice)) });
      return;
    }
    await ack();
    if (meta.channel) await deps.port.replyPrivately({ channel: meta.channel, userId: body.user.id }, result.notice);
  });
}
