import { feishuEnabled } from '../../config/feishu';
import type { Logger } from 'pino';
import { FeishuApi } from '../../integrations/feishu/feishu-api';
import { FeishuApiError } from '../../integrations/feishu/feishu-errors';
import { FeishuPort } from '../../integrations/feishu/feishu-port';
import type { Card } from '../../domain/ports';
import type { ChatFront, FrontDeps } from '../front';
import { t } from '../../present/i18n';
import { handleCardAction } from './card-action';
import { feishuCard, type FeishuCardOptions } from '../../integrations/feishu/feishu-card';
import { FeishuInbound } from './feishu-inbound';
import { FEISHU_EVENTS_PATH, registerFeishuRoutes } from './feishu-routes';
import { handleGroupMessage, type AnswerTarget } from './group-command';
import { InboundDispatcher, longConnection } from './long-connection';

/** The Feishu front, with its parts reachable for tests and for 加急 (issue 6). */
export interface FeishuFront extends ChatFront {
  port: FeishuPort;
  api: FeishuApi;
  inbound: FeishuInbound;
  /** What the long connection hands each event frame to (the same checks and handlers). */
  wsDispatcher: InboundDispatcher;
}

/** How long a signed request's timestamp stays acceptable (replays older than this are refused). */
const FRESHNESS_SECONDS = 300;

/** Feishu/Lark when FEISHU_APP_ID and FEISHU_APP_SECRET are set; otherwise off. */
export function createFeishuFront(deps: FrontDeps): FeishuFront | undefined {
  const cfg = deps.config.feishu;
  if (!feishuEnabled(cfg)) return undefined;
  const { settings } = deps.config;
  const locale = settings.locale;
  const logger = deps.logger.child({ front: 'feishu' });
  const api = new FeishuApi({ appId: cfg.appId, appSecret: cfg.appSecret, domain: cfg.domain, logger });

  const view = { locale, timezone: settings.timezone, clock: deps.clock };
  const render = (card: Card, form?: FeishuCardOptions['form']) => feishuCard(card, view, form);
  const port = new FeishuPort({ api, teams: settings.teams, fallbackChatId: cfg.chatId, ...view });

  let botOpenId: Promise<string> | undefined = cfg.botOpenId ? Promise.resolve(cfg.botOpenId) : undefined;
  const resolveBot = (): Promise<string> => {
    botOpenId ??= api.botInfo().then(
      (b) => b.openId,
      (err: unknown) => {
        botOpenId = undefined; // try again on the next message
        throw err;
      },
    );
    return botOpenId;
  };

  const inbound = new FeishuInbound({
    pool: deps.pool,
    logger,
    appId: cfg.appId,
    verificationToken: cfg.verificationToken,
    handlers: {
      cardAction: (env) => handleCardAction({ pool: deps.pool, actions: deps.actions, inventory: deps.inventory, handoffs: deps.handoffs, rules: deps.rules, locale, render }, env),
      message: (env) =>
        handleGroupMessage(
          {
            pool: deps.pool, clock: deps.clock, locale, timezone: settings.timezone, botOpenId: resolveBot, inventory: deps.inventory,
            cards: deps.actions.cards,
            commands: { front: deps, renderCard: (card) => render(card) },
            reply: async (to, card, uuid) => {
              await api.reply(to.messageId, { msgType: 'interactive', content: JSON.stringify(card), uuid }, to.chatId);
            },
            replyPrivately: (to, card, uuid) => answerPrivately(api, logger, to, card, uuid),
          },
          env,
        ),
      failedCardAnswer: () => ({ toast: { type: 'error', content: t(locale, 'feishu.toast.failed') } }),
      slowCardAnswer: () => ({ toast: { type: 'info', content: t(locale, 'feishu.toast.processing') } }),
    },
  });
  const ws = cfg.longConnection ? longConnection({ appId: cfg.appId, appSecret: cfg.appSecret, domain: cfg.domain, inbound, logger }) : undefined;

  return {
    port,
    api,
    inbound,
    wsDispatcher: new InboundDispatcher(inbound, logger),
    register(http) {
      registerFeishuRoutes(http, {
        verify: { appId: cfg.appId, verificationToken: cfg.verificationToken, encryptKey: cfg.encryptKey, windowSeconds: FRESHNESS_SECONDS },
        inbound,
        clock: deps.clock,
        logger,
      });
    },
    start: ws ? () => ws.start() : undefined,
    stop: ws ? () => ws.stop() : undefined,
    describe: (baseUrl) =>
      `Feishu/Lark (${cfg.domain}): events and card callbacks at ${baseUrl}${FEISHU_EVENTS_PATH}${ws ? ' and over the long connection' : ''}`,
  };
}

/**
 * The asker alone sees the answer: a reply in a direct chat; in a group an ephemeral card, or — where
 * the group takes none (a topic group, a card the endpoint refuses) — a direct message. A transient
 * failure is thrown, so Feishu's redelivery tries again.
 */
async function answerPrivately(api: FeishuApi, logger: Logger, to: AnswerTarget & { openId: string }, card: object, uuid: string): Promise<void> {
  const content = JSON.stringify(card);
  if (to.p2p) {
    await api.reply(to.messageId, { msgType: 'interactive', content, uuid }, to.chatId);
    return;
  }
  try {
    await api.ephemeral(to.chatId, to.openId, card);
  } catch (e) {
    if (!(e instanceof FeishuApiError) || (e.kind !== 'permanent' && e.kind !== 'gone')) throw e;
    logger.info({ code: e.code, chat: to.chatId }, 'feishu ephemeral card refused; answering by direct message instead');
    await api.send({ type: 'open_id', id: to.openId }, { msgType: 'interactive', content, uuid });
  }
}
