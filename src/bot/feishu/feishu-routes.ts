import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ErrorCode } from '../../domain/errors';
import type { Clock } from '../../domain/ports';
import { sendError } from '../../http/errors';
import type { FeishuInbound } from './feishu-inbound';
import { verifyFeishuRequest, type FeishuVerifyConfig } from './feishu-verify';

export const FEISHU_EVENTS_PATH = '/feishu/events';

export interface FeishuRouteDeps {
  verify: FeishuVerifyConfig;
  inbound: FeishuInbound;
  clock: Clock;
  logger: Logger;
}

/**
 * `POST /feishu/events`: events and card callbacks. Verified on the raw bytes before anything
 * else (a failed check is a 401 and nothing is touched), the url_verification challenge answered
 * at once, then handed to the dispatcher (dedupe, handler, answer).
 */
export function registerFeishuRoutes(http: FastifyInstance, deps: FeishuRouteDeps): void {
  http.post(FEISHU_EVENTS_PATH, { bodyLimit: 1024 * 1024 }, async (req, reply) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const v = verifyFeishuRequest(raw, req.headers, deps.verify, deps.clock.now().getTime());
    if (!v.ok) {
      deps.logger.warn({ reason: v.reason, ip: req.ip }, 'feishu request refused');
      return v.status === 401
        ? sendError(reply, 401, ErrorCode.SignatureInvalid, `feishu request refused: ${v.reason}`)
        : sendError(reply, 400, ErrorCode.BadRequest, `feishu request refused: ${v.reason}`);
    }
    if (v.challenge !== undefined) return reply.code(200).send({ challenge: v.challenge });
    const answer = await deps.inbound.dispatch(v.body, 'http');
    if (answer.status === 401) return sendError(reply, 401, ErrorCode.Unauthorized, 'feishu request refused: not for this app');
    if (answer.status === 500) return sendError(reply, 500, ErrorCode.Internal, 'the event was not handled; Feishu will deliver it again');
    return reply.code(200).send(answer.body);
  });
}
