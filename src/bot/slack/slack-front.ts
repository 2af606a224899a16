import { App } from '@slack/bolt';
import { SlackApi } from '../../integrations/slack/slack-api';
import { toSlackLogger } from '../../integrations/slack/slack-logger';
import { SlackChatPort } from '../../integrations/slack/slack-port';
import type { ChatFront, FrontDeps } from '../front';
import { dedupeDeliveries } from './dedupe-deliveries';
import { FastifySlackReceiver, SLACK_EVENTS_PATH } from './fastify-receiver';
import { registerListeners } from './listeners';
import { slackErrorHandler } from './slack-error-handler';
import type { SlackDeps } from './slack-deps';

export interface SlackFront extends ChatFront {
  port: SlackChatPort;
  app: App;
}

/**
 * The Slack front: outbound port (cards, ephemerals, DMs) and inbound Bolt app. Requests arrive
 * at `POST /slack/events` on the bot's own server, and over Socket Mode too when SLACK_APP_TOKEN
 * is set; both feed the same listeners. Off (undefined) without SLACK_BOT_TOKEN.
 */
export function createSlackFront(deps: FrontDeps): SlackFront | undefined {
  const { slack, settings } = deps.config;
  const { botToken } = slack;
  if (!botToken) return undefined;
  const logger = deps.logger.child({ front: 'slack' });
  if (!slack.signingSecret && !slack.appToken) {
    logger.warn('SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (HTTP) nor SLACK_APP_TOKEN (Socket Mode): the Slack front is off');
    return undefined;
  }

  const api = new SlackApi({ token: botToken, apiUrl: slack.apiUrl, logger });
  const port = new SlackChatPort({
    api,
    locale: settings.locale,
    timezone: settings.timezone,
    clock: deps.clock,
    logger,
    teamChannels: Object.fromEntries(Object.entries(settings.teams).map(([team, t]) => [team, t.slack_channel])),
    fallbackChannel: slack.channel,
  });

  const http = new FastifySlackReceiver({ signingSecret: slack.signingSecret, clock: deps.clock, logger });
  const socketMode = Boolean(slack.appToken);
  const app = new App({
    ...(socketMode ? { socketMode: true, appToken: slack.appToken } : { receiver: http }),
    // One workspace, one bot token: no auth.test round trip at start or per event.
    authorize: async () => ({ botToken }),
    logger: toSlackLogger(logger, 'bolt'),
    clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } },
    convoStore: false,
    extendedErrorHandler: true,
  });
  // In Socket Mode the HTTP endpoint stays available (signed requests still work) on the same app.
  if (socketMode) http.init(app);

  const slackDeps: SlackDeps = {
    port,
    actions: deps.actions,
    inventory: deps.inventory,
    rules: deps.rules,
    pool: deps.pool,
    locale: settings.locale,
    timezone: settings.timezone,
    clock: deps.clock,
    logger,
    front: deps,
  };
  app.use(dedupeDeliveries(deps.pool, logger));
  registerListeners(app, slackDeps);
  app.error(slackErrorHandler(slackDeps));

  return {
    port,
    app,
    register: (server) => http.register(server),
    start: async () => {
      if (socketMode) await app.start();
    },
    stop: async () => {
      if (socketMode) await app.stop();
      await http.stop();
    },
    describe: (baseUrl) =>
      socketMode ? `Slack: Socket Mode, and signed requests at ${baseUrl}${SLACK_EVENTS_PATH}` : `Slack: request URL ${baseUrl}${SLACK_EVENTS_PATH}`,
  };
}
