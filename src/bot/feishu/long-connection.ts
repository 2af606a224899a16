import * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';
import { larkDomain, sdkLogger } from '../../integrations/feishu/feishu-api';
import type { FeishuInbound } from './feishu-inbound';

/**
 * What the SDK's WSClient calls for each event frame (`invoke(data, { needCheck: false })`):
 * the same dispatcher as HTTP — app check, event_id dedupe, the same handlers. Card callbacks come
 * over the socket as `card.action.trigger` events and their answer (toast + card) goes back in the
 * ack frame. A handler failure throws, so the SDK acks with 500 and Feishu delivers again.
 */
export class InboundDispatcher extends lark.EventDispatcher {
  constructor(
    private readonly inbound: FeishuInbound,
    logger: Logger,
  ) {
    super({ logger: sdkLogger(logger), loggerLevel: lark.LoggerLevel.warn });
  }

  override async invoke(data: unknown): Promise<unknown> {
    const envelope = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
    const answer = await this.inbound.dispatch(envelope, 'ws');
    if (answer.status === 500) throw new Error('feishu handler failed; asking for redelivery');
    if (answer.status === 401) return undefined;
    return Object.keys(answer.body).length > 0 ? answer.body : undefined;
  }
}

export interface LongConnection {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The SDK's WSClient (no public URL needed); auth happens once at connect with the app secret. */
export function longConnection(opts: { appId: string; appSecret: string; domain: string; inbound: FeishuInbound; logger: Logger }): LongConnection {
  let ws: lark.WSClient | undefined;
  return {
    async start() {
      ws = new lark.WSClient({
        appId: opts.appId,
        appSecret: opts.appSecret,
        domain: larkDomain(opts.domain),
        autoReconnect: true,
        logger: sdkLogger(opts.logger),
        loggerLevel: lark.LoggerLevel.warn,
        onError: (err) => opts.logger.error({ err: err.message }, 'feishu long connection gave up; events are not being received'),
        onReconnected: () => opts.logger.info('feishu long connection re-established'),
      });
      await ws.start({ eventDispatcher: new InboundDispatcher(opts.inbound, opts.logger) });
      opts.logger.info('feishu long connection started');
    },
    async stop() {
      ws?.close({ force: true });
      ws = undefined;
    },
  };
}
