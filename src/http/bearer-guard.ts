import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '../domain/errors';
import { sendError } from './errors';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** `onRequest` hook: `Authorization: Bearer $ORDEROPS_API_TOKEN` (503 until the token is set, 401 otherwise). */
export function bearerGuard(apiToken: string | undefined) {
  const expected = apiToken ? digest(apiToken) : undefined;
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (!expected) return sendError(reply, 503, ErrorCode.SecretNotConfigured, 'the API is disabled: set ORDEROPS_API_TOKEN');
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m || !timingSafeEqual(digest(m[1]!), expected)) {
      reply.header('www-authenticate', 'Bearer');
      return sendError(reply, 401, ErrorCode.Unauthorized, 'send Authorization: Bearer <ORDEROPS_API_TOKEN>');
    }
  };
}
