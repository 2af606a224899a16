import type { App } from '@slack/bolt';
import { findStaffByChatUser } from '../../../db/staff';
import { clip, slackFormat } from '../../../integrations/slack/mrkdwn';
import { t } from '../../../present/i18n';
import { nextDailyRun } from '../../../domain/inventory/schedule';
import type { SlackDeps } from '../slack-deps';

export const PRICE_COMMAND = '/price';

/** `/price <sku> <amount>`: asks for a price change; an approver decides on the card it posts. */
export function registerPriceCommand(app: App, deps: SlackDeps): void {
  app.command(PRICE_COMMAND, async ({ ack, command }) => {
    // An optional publish time (定时发布): /price LAMP-01 599 20:00 — the next 20:00 in the team's time zone.
    const m = /^\s*(\S{1,128})\s+(\S{1,20})(?:\s+(([01]\d|2[0-3]):[0-5]\d))?\s*$/.exec(command.text ?? '');
    if (!m) {
      await ack({ response_type: 'ephemeral', text: t(deps.locale, 'slack.price.usage') });
      return;
    }
    const staff = await findStaffByChatUser(deps.pool, { platform: 'slack', userId: command.user_id });
    if (!staff) {
      await ack({ response_type: 'ephemeral', text: t(deps.locale, 'notice.unknown_user', { userId: slackFormat.escape(command.user_id) }) });
      return;
    }
    const publishAt = m[3] ? nextDailyRun(deps.clock.now(), m[3], deps.timezone).toISOString() : undefined;
    const r = await deps.inventory.requestPriceChange({ sku: m[1]!, price: m[2]!, requestedBy: staff.id, via: 'slack', ...(publishAt ? { publishAt } : {}) });
    const text = r.ok
      ? t(deps.locale, r.notice.key, Object.fromEntries(Object.entries(r.notice.vars ?? {}).map(([k, v]) => [k, typeof v === 'string' ? slackFormat.escape(v) : v])))
      : slackFormat.escape(r.message);
    await ack({ response_type: 'ephemeral', text: clip(text, 3000) });
  });
}
