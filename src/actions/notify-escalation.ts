import type pg from 'pg';
import type { Logger } from 'pino';
import type { ChatPort } from '../domain/ports';
import type { Queryable } from '../db/pool';
import { findStaff, staffForEscalation } from '../db/staff';
import { typeLabel, type Locale } from '../present/i18n';
import { renderReasons } from '../present/i18n/message';
import type { MessageRef } from '../domain/message';
import { reasonsSql } from '../db/reasons-sql';

export interface EscalationDeps {
  pool: pg.Pool;
  chats: ChatPort[];
  locale: Locale;
  logger: Logger;
}

/** Claim a notification by its idempotency key; false when it was already done (or recorded). */
export async function claimNotification(db: Queryable, n: { key: string; exceptionId: number; kind: string; channel: string; recipient: string | null }): Promise<boolean> {
  const { rows } = await db.query<{ status: string }>(
    `INSERT INTO notifications (idempotency_key, exception_id, kind, channel, recipient)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key
     RETURNING status`,
    [n.key, n.exceptionId, n.kind, n.channel, n.recipient],
  );
  // 'pending' again means an earlier attempt died mid-way: send (at least once beats never).
  return rows[0]?.status === 'pending' || rows[0]?.status === 'failed';
}

export async function settleNotification(db: Queryable, key: string, status: 'sent' | 'failed' | 'unrouted' | 'skipped', detail?: string): Promise<void> {
  await db.query(
    `UPDATE notifications SET status = $2, detail = $3, sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END WHERE idempotency_key = $1`,
    [key, status, detail ?? null],
  );
}

/**
 * A manual escalation: direct messages to the team's supervisors and managers on every platform
 * where they have an identity, each exactly once. Nobody to tell is recorded as unrouted.
 */
export async function notifyEscalation(deps: EscalationDeps, exceptionId: number, version: number, actorId: string): Promise<{ sent: number; unrouted: boolean }> {
  const { rows } = await deps.pool.query<{ team: string; type: string; reasons: MessageRef[]; external_id: string }>(
    `SELECT e.team, e.type, ${reasonsSql('e')} AS reasons, o.external_id FROM exceptions e JOIN orders o ON o.id = e.order_id WHERE e.id = $1`,
    [exceptionId],
  );
  const ex = rows[0];
  if (!ex) return { sent: 0, unrouted: false };
  const actor = await findStaff(deps.pool, actorId);
  const recipients = (await staffForEscalation(deps.pool, ex.team, ['supervisor', 'manager'])).filter((s) => s.id !== actorId);
  const notice = {
    key: 'dm.escalated',
    vars: { actor: actor?.name ?? actorId, orderId: ex.external_id, type: typeLabel(deps.locale, ex.type), reason: renderReasons(deps.locale, ex.reasons) },
  };
  let sent = 0;
  let failure: Error | undefined;
  for (const r of recipients) {
    for (const chat of deps.chats) {
      const key = `escalate:${exceptionId}:v${version}:${r.id}:${chat.platform}`;
      if (!(await claimNotification(deps.pool, { key, exceptionId, kind: 'manual_escalation', channel: `${chat.platform}_dm`, recipient: r.id }))) continue;
      try {
        const delivered = await chat.sendDirect(r, notice);
        await settleNotification(deps.pool, key, delivered ? 'sent' : 'skipped', delivered ? undefined : `no ${chat.platform} identity`);
        if (delivered) sent++;
      } catch (e) {
        await settleNotification(deps.pool, key, 'failed', (e as Error).message);
        failure ??= e as Error;
      }
    }
  }
  const unrouted = sent === 0 && !failure;
  if (unrouted) {
    const key = `escalate:${exceptionId}:v${version}:unrouted`;
    if (await claimNotification(deps.pool, { key, exceptionId, kind: 'manual_escalation', channel: 'none', recipient: null })) {
      await settleNotification(deps.pool, key, 'unrouted', recipients.length === 0 ? `no supervisor or manager for team ${ex.team}` : 'no chat identity for any recipient');
      deps.logger.warn({ exceptionId, team: ex.team }, 'escalation had nobody to notify');
    }
  }
  if (failure) throw failure; // the job retries; what was sent is not sent again
  return { sent, unrouted };
}
