import { ReceiverMultipleAckError, type App, type Receiver } from '@slack/bolt';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ErrorCode } from '../../domain/errors';
import type { Clock } from '../../domain/ports';
import { sendError } from '../../http/errors';
import { parseSlackBody } from './parse-body';
import { identityProblem, requestIdentity, type SlackIdentity } from './app-identity';
import { verifyRequest } from './verify-request';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface FastifyReceiverOptions {
  /** Without it every request is refused (503) with advice. */
  signingSecret?: string;
  clock: Clock;
  logger: Logger;
  /** Bolt's own HTTP receiver gives listeners 3001 ms to ack, then answers 404. */
  ackTimeoutMs?: number;
  /** The app and workspace requests must name (configured, or learned from auth.test); throws when unknown. */
  identity?: () => Promise<SlackIdentity>;
}

interface AckResponse {
  status: number;
  body: string;
  json: boolean;
}

/**
 * Bolt's receiver on the bot's Fastify server: verifies the signature over the exact bytes with
 * Bolt's verifySlackRequest (the server keeps every body raw), refuses a request naming another
 * app or workspace (403), answers ssl_check and url_verification itself, and hands
 * the rest to `app.processEvent` with an `ack` that sends the HTTP answer at once while the
 * listener keeps working.
 */
export class FastifySlackReceiver implements Receiver {
  private app?: App;
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly opts: FastifyReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  /** Let listeners that already acked finish their work (bounded). */
  async stop(): Promise<void> {
    if (this.inflight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inflight]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 10_000);
      }),
    ]);
    clearTimeout(timer);
  }

  register(http: FastifyInstance): void {
    http.post(SLACK_EVENTS_PATH, (req, reply) => this.handle(req, reply));
  }

  private async handle(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const parsed = parseSlackBody(raw, req.headers['content-type']);
    // Slack's certificate probe carries no signature and asks for nothing but a 200.
    if (parsed.kind === 'ssl_check') return reply.code(200).send('');
    const { signingSecret } = this.opts;
    if (!signingSecret) {
      return sendError(reply, 503, ErrorCode.SecretNotConfigured, 'SLACK_SIGNING_SECRET is not set: copy it from the app\'s Basic Information page (or use Socket Mode with SLACK_APP_TOKEN)');
    }
    const check = verifyRequest({
      signingSecret,
      rawBody: raw,
      timestamp: header(req, 'x-slack-request-timestamp'),
      signature: header(req, 'x-slack-signature'),
      now: this.opts.clock.now(),
    });
    if (!check.ok) {
      this.opts.logger.warn({ reason: check.reason, ip: req.ip }, 'refused a Slack request with a bad signature');
      return sendError(reply, 401, check.reason === 'missing' ? ErrorCode.SignatureMissing : ErrorCode.SignatureInvalid, check.message);
    }
    if (parsed.kind === 'invalid') return sendError(reply, 400, ErrorCode.BadRequest, parsed.message);
    if (parsed.kind === 'url_verification') return reply.code(200).send({ challenge: parsed.challenge });
    if (this.opts.identity) {
      let expected: SlackIdentity;
      try {
        expected = await this.opts.identity();
      } catch (e) {
        this.opts.logger.warn({ err: (e as Error).message }, 'the Slack app\'s own identity is unknown (auth.test failed); request refused for now');
        return sendError(reply, 503, ErrorCode.SecretNotConfigured, 'the app\'s identity is not known yet (auth.test failed): retry, or set SLACK_APP_ID and SLACK_TEAM_ID');
      }
      const got = requestIdentity(parsed.body);
      const problem = identityProblem(expected, got);
      if (problem) {
        this.opts.logger.warn({ ...got, expected, ip: req.ip }, `refused a signed Slack request that is not this app's: ${problem}`);
        return sendError(reply, 403, ErrorCode.Forbidden, `this request is not for this app: ${problem}`);
      }
    }

    const res = await this.dispatch(parsed.body, req);
    reply.code(res.status);
    if (res.json) reply.header('content-type', 'application/json; charset=utf-8');
    return reply.send(res.body);
  }

  private dispatch(body: Record<string, unknown>, req: FastifyRequest): Promise<AckResponse> {
    const app = this.app;
    if (!app) return Promise.resolve({ status: 503, body: '', json: false });
    const retryNum = Number(header(req, 'x-slack-retry-num'));
    const retryReason = header(req, 'x-slack-retry-reason');
    return new Promise<AckResponse>((resolve) => {
      let answered = false;
      const answer = (r: AckResponse) => {
        if (answered) return false;
        answered = true;
        clearTimeout(timer);
        resolve(r);
        return true;
      };
      const timer = setTimeout(() => {
        if (answer({ status: 404, body: '', json: false })) this.opts.logger.warn({ type: body.type }, 'a Slack request was not acknowledged within 3 seconds');
      }, this.opts.ackTimeoutMs ?? 3001);
      const ack = async (response?: unknown): Promise<void> => {
        if (!answer(contentResponse(response))) throw new ReceiverMultipleAckError();
      };
      const work = app
        .processEvent({ body, ack, ...(Number.isInteger(retryNum) ? { retryNum } : {}), ...(retryReason ? { retryReason } : {}) })
        .catch((err: unknown) => this.opts.logger.error({ err: (err as Error).message }, 'Slack event processing failed'))
        // Nothing acked it: no listener for this request.
        .finally(() => answer({ status: 404, body: '', json: false }));
      this.inflight.add(work);
      void work.finally(() => this.inflight.delete(work));
    });
  }
}

/** Bolt's ack semantics: nothing → empty 200, a string as is, anything else as JSON. */
function contentResponse(response: unknown): AckResponse {
  if (!response) return { status: 200, body: '', json: false };
  if (typeof response === 'string') return { status: 200, body: response, json: false };
  return { status: 200, body: JSON.stringify(response), json: true };
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
