import type pg from 'pg';
import type { Logger } from 'pino';
import type { ActionDeps } from '../../actions/exception-actions';
import type { InventoryActions } from '../../actions/inventory';
import type { RulesConfig } from '../../domain/orders/rules-types';
import type { Clock } from '../../domain/ports';
import type { SlackChatPort } from '../../integrations/slack/slack-port';
import type { Locale } from '../../present/i18n';
import type { FrontDeps } from '../front';

/** What every Slack listener is given (built once by the front, passed to `registerListeners`). */
export interface SlackDeps {
  port: SlackChatPort;
  actions: ActionDeps;
  inventory: InventoryActions;
  rules: RulesConfig;
  pool: pg.Pool;
  locale: Locale;
  timezone: string;
  clock: Clock;
  logger: Logger;
  /** Everything the composition root gave the front, for front-neutral code (`/orderops` commands). */
  front: FrontDeps;
}
