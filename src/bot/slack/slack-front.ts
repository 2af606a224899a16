import { App } from '@slack/bolt';
import { SlackApi } from '../../integrations/slack/slack-api';
import { toSlackLogger } from '../../integrations/slack/slack-logger';
import { SlackChatPort } from '../../integrations/slack/slack-port';
import type { ChatFront, FrontDeps } from '../front';
import { dedupeDeliveries } from './dedupe-deliveries';
import { FastifySlackReceiver, SLACK_EVENTS_PATH } from './fastify-receiver';
import { registerListeners } from './listeners';
import { slackErrorHandler } from './slack-error-handler';
import { identityProblem, requestIdentity, type SlackIdentity } from './app-identity';
import type { Middleware, AnyMiddlewareArgs } from '@slack/bolt';
import type { Logger } from 'pino';
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

  const identity = appIdentity(api, { appId: slack.appId, teamId: slack.teamId }, logger);
  const http = new FastifySlackReceiver({ signingSecret: slack.signingSecret, clock: deps.clock, logger, identity });
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
  // Socket Mode bypasses the HTTP receiver: the same app/workspace check as a middleware.
  if (socketMode) app.use(refuseForeign(identity, logger));
  app.use(dedupeDeliveries(deps.pool, logger));
  registerListeners(app, slackDeps);
  app.error(slackErrorHandler(slackDeps));

  return {
    port,
    app,
    register: (server) => http.register(server),
    start: async () => {
      // Learn the app's identity now (auth.test), so the first request does not wait for it.
      await identity().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'auth.test failed at start: Slack requests are refused until it answers (or set SLACK_APP_ID and SLACK_TEAM_ID)'));
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

/**
 * The app and workspace Slack requests must name: SLACK_APP_ID / SLACK_TEAM_ID when set, else what
 * `auth.test` says about the bot token (its `team_id`, `enterprise_id` and `app_id`), asked once and
 * again after a failure.
 */
export function appIdentity(api: SlackApi, configured: SlackIdentity, logger: Logger): () => Promise<SlackIdentity> {
  let learned: Promise<SlackIdentity> | undefined;
  return () => {
    if (configured.appId && configured.teamId) return Promise.resolve(configured);
    learned ??= api.call<{ ok: boolean; team_id?: string; enterprise_id?: string; app_id?: string }>('auth.test', {}, { idempotent: true, maxAttempts: 2 }).then(
      (r) => {
        const id: SlackIdentity = { appId: configured.appId ?? r.app_id, teamId: configured.teamId ?? r.team_id, enterpriseId: r.enterprise_id };
        if (!id.appId) logger.warn('auth.test names no app_id: set SLACK_APP_ID to refuse requests for other apps');
        logger.info(id, 'Slack requests must name this app and workspace');
        return id;
      },
      (err: unknown) => {
        learned = undefined;
        throw err;
      },
    );
    return learned;
  };
}

/** Socket Mode: acknowledge (so Slack does not redeliver) and drop a request that is not this app's. */
function refuseForeign(identity: () => Promise<SlackIdentity>, logger: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const got = requestIdentity(args.body as unknown as Record<string, unknown>);
    const problem = identityProblem(await identity(), got);
    if (!problem) return args.next();
    logger.warn({ ...got }, `refused a Socket Mode request that is not this app's: ${problem}`);
    const ack = (args as { ack?: () => Promise<void> }).ack;
    if (ack) await ack();
  };
}
