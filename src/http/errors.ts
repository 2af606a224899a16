import type { FastifyReply } from 'fastify';
import type { ErrorCode } from '../domain/errors';

/** Every error body has the same shape: a stable code, a message that says what to do next. */
export function sendError(reply: FastifyReply, status: number, code: ErrorCode, message: string, extra: Record<string, unknown> = {}): FastifyReply {
  return reply.code(status).send({ ok: false, error: code, message, ...extra });
}
