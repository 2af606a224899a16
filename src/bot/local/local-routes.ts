import { isCardDecisionAction } from '../../domain/inventory/price-change';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { staffLookup } from '../../actions/lookup-order';
import { findStaffByChatUser, listActiveStaff } from '../../db/staff';
import { dispatchCommand } from '../commands/dispatch';
import { t } from '../../present/i18n';
import { renderFieldErrors } from '../../present/i18n/message';
import { ErrorCode, OrderopsError } from '../../domain/errors';
import type { ChatPort } from '../../domain/ports';
import type { Staff } from '../../domain/staff';
import { sendError } from '../../http/errors';
import { channelCounts, recentCards, recentMessages } from '../../integrations/local/local-store';
import { lookupText } from '../../present/lookup-text';
import type { FrontDeps } from '../front';
import { escapeHtml, htmlFormat } from './html-format';
import { parseActionRequest, runLocalAction } from './local-actions';
import { cardView, messageView, noticeHtml, noticeText, uiStrings, type ViewOptions } from './local-view';
import { isLoopbackHost } from './local-mode';
import type { SseHub } from './sse-hub';

/** Cards sent with the page state; older ones stay in Postgres (a storm can post hundreds). */
export const STATE_CARD_LIMIT = 300;
const MESSAGE_LIMIT = 50;
const STAFF_ID = /^[a-zA-Z0-9_.-]{1,64}$/;

// Same-origin only, no inline script or style: buyer text can never run, even if escaping failed.
export const LOCAL_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self' data:",
  "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': LOCAL_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const ROLE_ORDER: Record<Staff['role'], number> = { agent: 0, supervisor: 1, manager: 2, admin: 3 };

/** The picker lists people team by team (in config order), agents first; people without a team last. */
export function sortStaff(staff: Staff[], teamOrder: string[]): Staff[] {
  const teamRank = (t: string | null) => (t === null ? teamOrder.length + 1 : teamOrder.indexOf(t) === -1 ? teamOrder.length : teamOrder.indexOf(t));
  return [...staff].sort((a, b) => teamRank(a.team) - teamRank(b.team) || ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.id.localeCompare(b.id));
}

export interface LocalRouteDeps extends FrontDeps {
  port: ChatPort;
  hub: SseHub;
  demoStaff: boolean;
  /** True when served on loopback: requests must then name a loopback host (no DNS rebinding). */
  loopbackOnly: boolean;
}

interface Assets {
  html: string;
  /** The page's ES modules by file name (core.js, cards.js, composer.js, live.js, main.js …). */
  js: Map<string, string>;
  css: string;
}

/** The page is plain files next to the sources (no build step); dist/ finds them in src/. */
export function loadAssets(): Assets {
  const dir = path.resolve(__dirname, '..', '..', '..', 'src', 'bot', 'local', 'assets');
  try {
    return {
      html: readFileSync(path.join(dir, 'index.html'), 'utf8'),
      js: new Map(readdirSync(path.join(dir, 'js')).filter((f) => f.endsWith('.js')).map((f) => [f, readFileSync(path.join(dir, 'js', f), 'utf8')])),
      css: readFileSync(path.join(dir, 'app.css'), 'utf8'),
    };
  } catch (e) {
    throw new OrderopsError(ErrorCode.ConfigInvalid, `the local channel's page is missing (${(e as Error).message}): run from a full checkout, or set ORDEROPS_LOCAL_CHANNEL=0`);
  }
}

export function registerLocalRoutes(http: FastifyInstance, deps: LocalRouteDeps): void {
  const { pool, config, hub } = deps;
  const { locale, timezone } = config.settings;
  const assets = loadAssets();
  const view = (): ViewOptions => ({ locale, timezone, now: deps.clock.now() });
  const page = assets.html
    .replaceAll('%LANG%', escapeHtml(locale))
    .replaceAll('%TITLE%', escapeHtml(uiStrings(locale).title!));

  /** Refuse what a browser tab of another site could send: a foreign Host (DNS rebinding) or Origin. */
  const guard = (req: FastifyRequest, reply: FastifyReply): boolean => {
    const host = req.headers.host ?? '';
    if (deps.loopbackOnly && !isLoopbackHost(host.replace(/:\d+$/, ''))) {
      sendError(reply, 403, ErrorCode.BadRequest, 'the local channel answers only on a loopback host name: open http://127.0.0.1:<port>/');
      return false;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null') {
      let originHost = '';
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = '';
      }
      if (originHost !== host) {
        sendError(reply, 403, ErrorCode.BadRequest, 'cross-origin requests to the local channel are refused: use the page the bot serves');
        return false;
      }
    }
    if (req.method === 'POST' && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      sendError(reply, 415, ErrorCode.BadRequest, 'send the action as JSON with Content-Type: application/json');
      return false;
    }
    return true;
  };
  const staffParam = (v: unknown): string | undefined | null =>
    v === undefined || v === '' ? undefined : typeof v === 'string' && STAFF_ID.test(v) ? v : null;

  const sendPage = (req: FastifyRequest, reply: FastifyReply) => {
    if (!guard(req, reply)) return reply;
    return reply.headers({ ...SECURITY_HEADERS, 'cache-control': 'no-store' }).type('text/html; charset=utf-8').send(page);
  };
  http.get('/', sendPage);
  http.get('/local', sendPage);
  // The page's ES modules (assets/js/*.js), by exact file name only.
  http.get<{ Params: { file: string } }>('/local/js/:file', (req, reply) => {
    if (!guard(req, reply)) return reply;
    const js = assets.js.get(req.params.file);
    if (js === undefined) return sendError(reply, 404, ErrorCode.NotFound, 'no such file of the local page');
    return reply.headers(SECURITY_HEADERS).header('cache-control', 'no-cache').type('text/javascript; charset=utf-8').send(js);
  });
  http.get('/local/app.css', (req, reply) => {
    if (!guard(req, reply)) return reply;
    return reply.headers(SECURITY_HEADERS).header('cache-control', 'no-cache').type('text/css; charset=utf-8').send(assets.css);
  });

  http.get<{ Querystring: { staff?: string; channel?: string } }>('/local/state', async (req, reply) => {
    if (!guard(req, reply)) return reply;
    const staff = staffParam(req.query.staff);
    if (staff === null) return sendError(reply, 400, ErrorCode.BadRequest, 'staff must be a staff id: 1–64 letters, digits, _ . -');
    const channel = typeof req.query.channel === 'string' && req.query.channel !== '' ? req.query.channel.slice(0, 128) : undefined;
    const [people, counts, cards, messages] = await Promise.all([
      listActiveStaff(pool),
      channelCounts(pool),
      recentCards(pool, { channel, limit: STATE_CARD_LIMIT }),
      staff ? recentMessages(pool, staff, MESSAGE_LIMIT) : Promise.resolve([]),
    ]);
    const teams = config.settings.teams;
    const byChannel = new Map(counts.map((c) => [c.channel, c]));
    const channelIds = [...new Set([...Object.keys(teams), ...counts.map((c) => c.channel)])];
    const v = view();
    return reply.headers({ 'cache-control': 'no-store' }).send({
      ok: true,
      locale,
      demoStaff: deps.demoStaff,
      staff: sortStaff(people, Object.keys(teams)).map((s) => ({ id: s.id, name: s.name, role: s.role, team: s.team, teamName: s.team ? teams[s.team]?.name ?? s.team : null })),
      channels: channelIds.map((id) => ({ id, name: teams[id]?.name ?? id, open: byChannel.get(id)?.open ?? 0, total: byChannel.get(id)?.total ?? 0 })),
      cards: cards.map((r) => cardView(r, v)),
      cardLimit: STATE_CARD_LIMIT,
      messages: messages.map((m) => messageView(m, v)),
      ui: uiStrings(locale),
    });
  });

  http.get<{ Querystring: { staff?: string } }>('/local/events', (req, reply) => {
    if (!guard(req, reply)) return;
    const staff = staffParam(req.query.staff);
    if (staff === null) {
      sendError(reply, 400, ErrorCode.BadRequest, 'staff must be a staff id: 1–64 letters, digits, _ . -');
      return;
    }
    reply.hijack();
    hub.open(reply.raw, staff, SECURITY_HEADERS);
  });

  // The person the page acts as looks the order up (staff only, audited like /order).
  http.get<{ Querystring: { q?: string; staff?: string } }>('/local/lookup', async (req, reply) => {
    if (!guard(req, reply)) return reply;
    const q = typeof req.query.q === 'string' ? req.query.q : '';
    const staff = staffParam(req.query.staff);
    if (!staff) return sendError(reply, 400, ErrorCode.BadRequest, 'staff must be the id of the person the page acts as: 1–64 letters, digits, _ . -');
    const result = await staffLookup({ pool, clock: deps.clock, cards: deps.actions.cards }, { platform: 'local', userId: staff }, q);
    return reply.headers({ 'cache-control': 'no-store' }).send({ ok: true, html: lookupText(result, view(), htmlFormat) });
  });

  // `/orderops …` typed in the page's command box: a text answer comes back privately (HTML, escaped
  // here); a card answer is posted to the chosen channel (else the asker's team channel).
  http.post('/local/command', { bodyLimit: 4 * 1024 }, async (req, reply) => {
    if (!guard(req, reply)) return reply;
    const json = readJson(req.body);
    if (!json.ok) return sendError(reply, 400, ErrorCode.MalformedJson, json.message);
    const b = (typeof json.value === 'object' && json.value !== null && !Array.isArray(json.value) ? json.value : {}) as Record<string, unknown>;
    const unknown = Object.keys(b).filter((k) => !['staff', 'text', 'channel'].includes(k));
    if (unknown.length > 0 || typeof b.staff !== 'string' || !STAFF_ID.test(b.staff) || typeof b.text !== 'string' || b.text.length > 500
      || (b.channel !== undefined && (typeof b.channel !== 'string' || b.channel.length > 128))) {
      return sendError(reply, 400, ErrorCode.BadRequest, 'send {"staff": "<staff id>", "text": "<command, at most 500 characters>", "channel"?: "<channel id>"} and nothing else');
    }
    const staff = b.staff;
    const asker = await findStaffByChatUser(pool, { platform: 'local', userId: staff });
    const channel = (b.channel as string | undefined) || (asker?.team ? deps.port.channelFor(asker.team) : undefined);
    const answer = await dispatchCommand(deps, { platform: 'local', userId: staff }, b.text, { channel });
    if (answer.kind === 'text') return reply.headers({ 'cache-control': 'no-store' }).send({ ok: true, html: answer.render(htmlFormat) });
    if (!channel) return sendError(reply, 422, ErrorCode.BadRequest, 'choose a channel for this command: it posts a card');
    const posted = await deps.port.postCard(channel, answer.card);
    return reply.send({ ok: true, html: answer.render?.(htmlFormat) ?? escapeHtml(t(locale, 'command.card_posted')), channel: posted.channel });
  });

  // Approve / Reject on a price-change card: the shared price use case decides (role, one winner).
  http.post('/local/price-actions', { bodyLimit: 4 * 1024 }, async (req, reply) => {
    if (!guard(req, reply)) return reply;
    const json = readJson(req.body);
    if (!json.ok) return sendError(reply, 400, ErrorCode.MalformedJson, json.message);
    const body = json.value;
    const b = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    const unknown = Object.keys(b).filter((k) => !['action', 'requestId', 'version', 'staff'].includes(k));
    if (unknown.length > 0 || !isCardDecisionAction(String(b.action))
      || !Number.isSafeInteger(b.requestId) || !Number.isSafeInteger(b.version) || (b.requestId as number) < 1 || (b.version as number) < 1
      || typeof b.staff !== 'string' || !/^[a-zA-Z0-9_.-]{1,64}$/.test(b.staff)) {
      return sendError(reply, 400, ErrorCode.BadRequest, 'send {"action": "price.approve" | "price.reject" | "price.retry" | "price.confirm_push" | "report.push_master", "requestId", "version", "staff"} and nothing else');
    }
    const r = await deps.inventory.handlePriceAction({
      action: String(b.action), requestId: b.requestId as number, version: b.version as number,
      user: { platform: 'local', userId: b.staff }, via: 'local',
    });
    const notice = { notice: noticeHtml(r.notice, locale), message: noticeText(r.notice, locale) };
    if (r.ok) return reply.code(200).send({ ok: true, ...('requestId' in r ? { requestId: r.requestId, version: r.version } : {}), ...notice });
    const status = r.reason === 'not_found' ? 404 : r.reason === 'forbidden' || r.reason === 'unknown_user' ? 403 : 409;
    return reply.code(status).send({ ok: false, reason: r.reason, ...notice });
  });

  // "Offer to the incoming shift" on a handoff card: the shared handoff use case decides.
  http.post('/local/handoff-actions', { bodyLimit: 4 * 1024 }, async (req, reply) => {
    if (!guard(req, reply)) return reply;
    const json = readJson(req.body);
    if (!json.ok) return sendError(reply, 400, ErrorCode.MalformedJson, json.message);
    const b = (typeof json.value === 'object' && json.value !== null && !Array.isArray(json.value) ? json.value : {}) as Record<string, unknown>;
    const unknown = Object.keys(b).filter((k) => !['action', 'requestId', 'version', 'staff'].includes(k));
    if (unknown.length > 0 || b.action !== 'handoff.offer' || !Number.isSafeInteger(b.requestId) || !Number.isSafeInteger(b.version)
      || (b.requestId as number) < 1 || (b.version as number) < 1 || typeof b.staff !== 'string' || !/^[a-zA-Z0-9_.-]{1,64}$/.test(b.staff) || !deps.handoffs) {
      return sendError(reply, 400, ErrorCode.BadRequest, 'send {"action": "handoff.offer", "requestId": <handoff id>, "version", "staff"} and nothing else');
    }
    const r = await deps.handoffs.offer({ handoffId: b.requestId as number, version: b.version as number, user: { platform: 'local', userId: b.staff }, via: 'local' });
    const notice = { notice: noticeHtml(r.notice, locale), message: noticeText(r.notice, locale) };
    if (r.ok) return reply.code(200).send({ ok: true, offered: r.offered, ...notice });
    const status = r.reason === 'not_found' ? 404 : r.reason === 'forbidden' || r.reason === 'unknown_user' ? 403 : 409;
    return reply.code(status).send({ ok: false, reason: r.reason, ...notice });
  });

  http.post('/local/actions', { bodyLimit: 16 * 1024 }, async (req, reply) => {
    if (!guard(req, reply)) return reply;
    const json = readJson(req.body);
    if (!json.ok) return sendError(reply, 400, ErrorCode.MalformedJson, json.message);
    const body = json.value;
    const parsed = parseActionRequest(body);
    if (!parsed.ok) return sendError(reply, 400, ErrorCode.BadRequest, parsed.message);
    const r = parsed.value;
    const out = await runLocalAction(deps, r);
    if (out.notice && !(out.ok === false && out.reason === 'unknown_user')) {
      // The answer to a click is shown to that person only (the side panel), as on Slack/Feishu.
      // The action is committed by now: a failure here must not turn it into an error to retry.
      const notice = out.notice;
      await pool
        .query<{ team: string }>('SELECT team FROM exceptions WHERE id = $1', [r.exceptionId])
        .then(({ rows }) => deps.port.replyPrivately({ channel: rows[0] ? deps.port.channelFor(rows[0].team) ?? '' : '', userId: r.staff }, notice))
        .catch((err: unknown) => deps.logger.warn({ err: (err as Error).message }, 'local channel: could not keep a private reply'));
    }
    const notice = out.notice ? { notice: noticeHtml(out.notice, locale), message: noticeText(out.notice, locale) } : {};
    if (out.ok) return reply.code(200).send({ ok: true, exceptionId: out.exceptionId, version: out.version, ...notice });
    return reply.code(out.status).send({
      ok: false,
      reason: out.reason,
      ...notice,
      ...(out.fieldErrors ? { fieldErrors: renderFieldErrors(locale, out.fieldErrors), message: 'the address has problems: see fieldErrors' } : {}),
    });
  });
}

function readJson(raw: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : '') };
  } catch (e) {
    return { ok: false, message: `body is not valid JSON: ${(e as Error).message}` };
  }
}
