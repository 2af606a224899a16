import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import type { ActionDeps } from '../actions/exception-actions';
import type { ChatPort, Clock } from '../domain/ports';
import type { RulesConfig } from '../domain/orders/rules-types';
import type { InventoryActions } from '../actions/inventory';
import type { OfferInput, OfferResult } from '../actions/shift-handoff';

/** What every chat front gets from the composition root. */
export interface FrontDeps {
  config: AppConfig;
  pool: pg.Pool;
  /** Use cases: performExceptionAction(actions, …), fixAddress({ ...actions, rules }, …), lookupOrders(pool, …). */
  actions: ActionDeps;
  /** Price changes (`price.approve` / `price.reject` clicks, `/price`), imports and reports. */
  inventory: InventoryActions;
  rules: RulesConfig;
  clock: Clock;
  logger: Logger;
  /** "Offer to the incoming shift" on a handoff card (`handoff.offer`). */
  handoffs?: { offer(input: OfferInput): Promise<OfferResult> };
}

/**
 * One chat platform, both ways: `port` posts and updates cards; `register` mounts its inbound
 * routes on the bot's HTTP server; `start`/`stop` run long-lived connections (Socket Mode, WSClient).
 */
export interface ChatFront {
  port: ChatPort;
  register(http: FastifyInstance): void;
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** A line for the start-up log, e.g. the local channel's URL. */
  describe?(baseUrl: string): string;
}
