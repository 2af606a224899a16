import type pg from 'pg';
import type { Logger } from 'pino';
import { ChatDeliveryError } from '../domain/errors';
import type { ChatPort, Clock, Notice } from '../domain/ports';
import { maskPhone } from '../domain/privacy/mask';
import type { Staff } from '../domain/staff';
import { insertAudit } from '../db/audit';
import { cardMessages } from '../db/chat-messages';
import { digestOf } from '../db/digests';
import { findStaff } from '../db/staff';
import { t, typeLabel, type Locale } from '../present/i18n';
import { renderReasons } from '../present/i18n/message';
import type { MessageRef } from '../domain/message';
import { reasonsSql } from '../db/reasons-sql';
import type { Mailer, SmsSender } from '../domain/notify/ports';

export interface DeliveryDeps {
  pool: pg.Pool;
  chats: ChatPort[];
  mailer?: Mailer;
  sms?: SmsSender;
  locale: Locale;
  clock: Clock;
  logger: Logger;
}

interface NotificationRow {
  id: number;
  exception_id: number;
  kind: string;
  channel: string;
  recipient: string | null;
  status: string;
  not_before: Date | null;
  payload: { level?: number; recipients?: string[] } | null;
}

export type DeliveryOutcome = { status: 'sent' | 'skipped' | 'unrouted' | 'failed' | 'not_pending'; detail?: string } | { status: 'wait'; until: Date };

/**
 * Send one recorded notification (chat DM, card mention, 加急, email or SMS), exactly once: a row
 * already settled is left alone; transient errors are rethrown for the job to retry; permanent ones
 * are recorded as failed. Every outcome lands in the audit trail.
 */
export async function deliverNotification(deps: DeliveryDeps, id: number): Promise<DeliveryOutcome> {
  const { rows } = await deps.pool.query<NotificationRow>(
    'UPDATE notifications SET attempts = attempts + 1 WHERE id = $1 AND status = $2 RETURNING *',
    [id, 'pending'],
  );
  const n = rows[0];
  if (!n) return { status: 'not_pending' };
  const now = deps.clock.now();
  if (n.not_before && n.not_before.getTime() > now.getTime()) return { status: 'wait', until: n.not_before };

  const ctx = await context(deps, n);
  let outcome: { status: 'sent' | 'skipped' | 'unrouted' | 'failed'; detail?: string };
  try {
    outcome = await send(deps, n, ctx);
  } catch (e) {
    if (e instanceof ChatDeliveryError && e.kind === 'permanent') outcome = { status: 'failed', detail: e.message };
    else throw e;
  }
  await deps.pool.query(
    `UPDATE notifications SET status = $2, detail = $3, sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END WHERE id = $1`,
    [n.id, outcome.status, outcome.detail ?? null],
  );
  await insertAudit(deps.pool, {
    actor: 'system', source: 'notify', entity: 'exception', entityId: n.exception_id, action: `notification.${outcome.status}`,
    details: { notification: n.id, kind: n.kind, channel: n.channel, recipient: n.recipient, detail: outcome.detail },
  });
  return outcome;
}

interface Ctx {
  orderId: string;
  type: string;
  reason: string;
  minutes: number;
  level: number;
  recipient: Staff | null;
  fields: [string, string][];
}

async function context(deps: DeliveryDeps, n: NotificationRow): Promise<Ctx> {
  const { rows } = await deps.pool.query<{ external_id: string; type: string; reasons: MessageRef[]; created_at: Date; source: string; shop: string | null; total: string; currency: string; phone: string | null }>(
    `SELECT o.external_id, e.type, ${reasonsSql('e')} AS reasons, e.created_at, o.source, o.shop, o.total::text AS total, o.currency, o.buyer_phone AS phone
     FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE e.id = $1`,
    [n.exception_id],
  );
  const e = rows[0]!;
  const L = deps.locale;
  const reason = renderReasons(L, e.reasons);
  return {
    orderId: e.external_id,
    type: typeLabel(L, e.type),
    reason,
    minutes: Math.max(1, Math.round((deps.clock.now().getTime() - e.created_at.getTime()) / 60_000)),
    level: n.payload?.level ?? 2,
    recipient: n.recipient ? await findStaff(deps.pool, n.recipient) : null,
    fields: [
      [t(L, 'field.order'), e.external_id],
      [t(L, 'field.shop'), [e.shop, e.source].filter(Boolean).join(' / ')],
      [t(L, 'field.reason'), reason],
      [t(L, 'field.amount'), `${e.total} ${e.currency}`],
      [t(L, 'field.phone'), maskPhone(e.phone)],
    ],
  };
}

async function send(deps: DeliveryDeps, n: NotificationRow, c: Ctx): Promise<{ status: 'sent' | 'skipped' | 'unrouted'; detail?: string }> {
  const notice = (key: string): Notice => ({ key, vars: { orderId: c.orderId, type: c.type, reason: c.reason, minutes: c.minutes } });
  const [platform, ...rest] = n.channel.split('_');
  const channel = rest.length > 0 && ['slack', 'feishu', 'local'].includes(platform!) ? rest.join('_') : n.channel;
  const port = deps.chats.find((p) => p.platform === platform);

  switch (channel) {
    case 'chat_dm': {
      if (!port || !c.recipient) return { status: 'skipped', detail: 'platform or person no longer configured' };
      const ok = await port.sendDirect(c.recipient, notice(n.kind === 'offshift_page' ? 'calendar.page.dm' : c.level === 1 ? 'sla.level1.dm' : 'sla.level2.dm'));
      return ok ? { status: 'sent' } : { status: 'skipped', detail: `no ${platform} identity` };
    }
    case 'card_mention': {
      const people = (await Promise.all((n.payload?.recipients ?? []).map((id) => findStaff(deps.pool, id)))).filter((s): s is Staff => s !== null);
      // A storm digest line has no card of its own: the mention goes under its digest, naming the order.
      const digest = await digestOf(deps.pool, n.exception_id);
      const key = digest !== null ? `digest:${digest}` : `exception:${n.exception_id}`;
      const posted = (await cardMessages(deps.pool, key)).filter((m) => m.state === 'posted' && m.messageId);
      const mention: Notice = digest !== null
        ? { key: 'sla.mention.digest', vars: { people: people.map((s) => s.name).join(' '), orderId: c.orderId, type: c.type } }
        : { key: 'sla.mention', vars: { people: people.map((s) => s.name).join(' ') } };
      let done = 0;
      for (const m of posted) {
        const p = deps.chats.find((x) => x.platform === m.platform);
        if (!p?.mentionOnCard) continue;
        await p.mentionOnCard({ channel: m.channel, messageId: m.messageId! }, people, mention);
        done++;
      }
      return done > 0 ? { status: 'sent', detail: `${done} card(s)` } : { status: 'skipped', detail: 'no posted card supports mentions' };
    }
    case 'feishu_urgent': {
      const digest = await digestOf(deps.pool, n.exception_id);
      const m = (await cardMessages(deps.pool, digest !== null ? `digest:${digest}` : `exception:${n.exception_id}`)).find((x) => x.platform === 'feishu' && x.state === 'posted');
      if (!port?.urgent || !m?.messageId || !c.recipient) return { status: 'skipped', detail: 'no Feishu card to ring' };
      await port.urgent({ channel: m.channel, messageId: m.messageId }, [c.recipient]);
      return { status: 'sent' };
    }
    case 'email': {
      if (!deps.mailer) return { status: 'unrouted', detail: 'SMTP_URL is not set' };
      if (!c.recipient?.email) return { status: 'unrouted', detail: 'no email address' };
      const L = deps.locale;
      const vars = { orderId: c.orderId, level: c.level, minutes: c.minutes };
      const intro = t(L, 'email.intro', vars);
      const footer = t(L, 'email.footer');
      const text = [intro, '', ...c.fields.map(([k, v]) => `${k}: ${v}`), '', footer].join('\n');
      const html = `<p>${esc(intro)}</p><table>${c.fields.map(([k, v]) => `<tr><th align="left">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table><p style="color:#666">${esc(footer)}</p>`;
      const r = await deps.mailer.send({ to: c.recipient.email, subject: t(L, 'email.subject', vars), text, html, headers: { 'X-Orderops-Order': c.orderId, 'X-Orderops-Exception': String(n.exception_id) } });
      return { status: 'sent', detail: r.messageId };
    }
    case 'sms': {
      if (!deps.sms) return { status: 'unrouted', detail: 'SMS_PROVIDER is not set' };
      if (!c.recipient?.phone) return { status: 'unrouted', detail: 'no phone number' };
      const params = { order: c.orderId, type: c.type, minutes: String(c.minutes) };
      const r = await deps.sms.send({ to: c.recipient.phone.replace(/[\s-]/g, ''), text: t(deps.locale, 'sms.text', { orderId: c.orderId, type: c.type, minutes: c.minutes }), params });
      return { status: 'sent', detail: `${deps.sms.provider} ${r.id}` };
    }
    default:
      return { status: 'skipped', detail: `unknown channel ${n.channel}` };
  }
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
