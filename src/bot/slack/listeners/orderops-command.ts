import type { App } from '@slack/bolt';
import { SLACK_LIMITS } from '../../../integrations/slack/blocks/limits';
import { clip, slackFormat } from '../../../integrations/slack/mrkdwn';
import { t } from '../../../present/i18n';
import { dispatchCommand } from '../../commands/dispatch';
import type { SlackDeps } from '../slack-deps';
import { within } from '../within';
import { INLINE_BUDGET_MS } from './order-command';

export const ORDEROPS_COMMAND = '/orderops';

/**
 * `/orderops <command> …` (see src/bot/commands): a text answer is private to the asker; a card
 * answer (a report, the board) is posted in the channel, with a private confirmation.
 */
export function registerOrderopsCommand(app: App, deps: SlackDeps): void {
  app.command(ORDEROPS_COMMAND, async ({ ack, command, respond }) => {
    const answer = dispatchCommand(deps.front, { platform: 'slack', userId: command.user_id }, command.text ?? '', { channel: command.channel_id }).then(
      async (a) => {
        if (a.kind === 'text') return a.render(slackFormat);
        await deps.port.postCard(command.channel_id, a.card);
        return a.render?.(slackFormat) ?? t(deps.locale, 'command.card_posted');
      },
    );
    const quick = await within(answer, INLINE_BUDGET_MS);
    if (quick !== undefined) {
      await ack({ response_type: 'ephemeral', text: clip(quick, SLACK_LIMITS.replyText) });
      return;
    }
    await ack({ response_type: 'ephemeral', text: t(deps.locale, 'slack.lookup.pending') });
    await respond({ response_type: 'ephemeral', replace_original: true, text: clip(await answer, SLACK_LIMITS.replyText) });
  });
}
