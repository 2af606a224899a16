import type { App } from '@slack/bolt';
import { staffLookup } from '../../../actions/lookup-order';
import { SLACK_LIMITS } from '../../../integrations/slack/blocks/limits';
import { clip, slackFormat } from '../../../integrations/slack/mrkdwn';
import { t } from '../../../present/i18n';
import { lookupText } from '../../../present/lookup-text';
import type { SlackDeps } from '../slack-deps';
import { within } from '../within';

export const ORDER_COMMAND = '/order';
/** A lookup is a few indexed reads; if the database is slow, answer later through response_url. */
export const INLINE_BUDGET_MS = 2000;

/** `/order <order id | last 4 phone digits>`: a private answer with status, stage and a short timeline — for staff only, audited. */
export function registerOrderCommand(app: App, deps: SlackDeps): void {
  app.command(ORDER_COMMAND, async ({ ack, command, respond }) => {
    const who = { platform: 'slack' as const, userId: command.user_id };
    const answer = staffLookup({ pool: deps.pool, clock: deps.clock, cards: deps.actions.cards }, who, command.text ?? '').then((r) =>
      clip(lookupText(r, { locale: deps.locale, timezone: deps.timezone, now: deps.clock.now() }, slackFormat), SLACK_LIMITS.replyText),
    );
    const quick = await within(answer, INLINE_BUDGET_MS);
    if (quick !== undefined) {
      await ack({ response_type: 'ephemeral', text: quick });
      return;
    }
    await ack({ response_type: 'ephemeral', text: t(deps.locale, 'slack.lookup.pending') });
    await respond({ response_type: 'ephemeral', replace_original: true, text: await answer });
  });
}
