import type { App } from '@slack/bolt';
import { staffLookup } from '../../../actions/lookup-order';
import { slackFormat } from '../../../integrations/slack/mrkdwn';
import { t } from '../../../present/i18n';
import { lookupText } from '../../../present/lookup-text';
import type { SlackDeps } from '../slack-deps';

/** `@orderops order DY-1` (or just `@orderops DY-1`): the same lookup as /order, answered privately, for staff only. */
export function registerAppMention(app: App, deps: SlackDeps): void {
  app.event('app_mention', async ({ event }) => {
    if (!event.user) return;
    const query = mentionQuery(event.text);
    const text = query
      ? lookupText(await staffLookup({ pool: deps.pool, clock: deps.clock, cards: deps.actions.cards }, { platform: 'slack', userId: event.user }, query), { locale: deps.locale, timezone: deps.timezone, now: deps.clock.now() }, slackFormat)
      : t(deps.locale, 'slack.mention.usage');
    await deps.port.ephemeral({ channel: event.channel, userId: event.user }, text);
  });
}

/** The text after the mentions and an optional `order`/`订单` word. */
export function mentionQuery(text: string): string {
  return text
    .replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, ' ')
    .trim()
    .replace(/^(order|订单|查单|查询)\s*/i, '')
    .trim();
}
