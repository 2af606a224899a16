import type pg from 'pg';
import type { Queryable } from '../db/pool';
import { releaseOrderLines } from '../db/digests';
import type { Clock } from '../domain/ports';
import type { ChatUser } from '../domain/staff';
import { insertAudit } from '../db/audit';
import { findStaffByChatUser } from '../db/staff';
import type { MessageRef } from '../domain/message';
import type { LookupResult } from '../domain/orders/lookup';
import { reasonsSql } from '../db/reasons-sql';

export type { LookupOrder, LookupResult } from '../domain/orders/lookup';

const MAX_QUERY = 64;
const MAX_SHOWN = 5;

const normalizeQuery = (raw: string): string => raw.normalize('NFKC').trim();
/** Four digits: the last digits of a buyer's phone, not an order id. */
const isPhoneQuery = (query: string): boolean => /^\d{4}$/.test(query);

/**
 * `/order <id | last 4 phone digits>`: an exact order id (any source), or the newest orders whose
 * buyer phone ends in those 4 digits. Parameterised queries only; hostile text is just a miss.
 */
export async function lookupOrders(db: Queryable, rawQuery: string): Promise<LookupResult> {
  const query = normalizeQuery(rawQuery);
  if (!query) return { kind: 'usage' };
  if (query.length > MAX_QUERY) return { kind: 'not_found', query: query.slice(0, MAX_QUERY) };
  const byPhone = isPhoneQuery(query);
  const { rows } = await db.query<{ id: number; source: string; external_id: string; status: string; stage: string; total: string; currency: string; received_at: Date; n: number }>(
    byPhone
      ? `SELECT id, source, external_id, status, stage, total, currency, received_at, count(*) OVER ()::int AS n
         FROM orders WHERE buyer_phone IS NOT NULL AND right(buyer_phone, 4) = $1 ORDER BY received_at DESC LIMIT $2`
      : `SELECT id, source, external_id, status, stage, total, currency, received_at, count(*) OVER ()::int AS n
         FROM orders WHERE external_id = $1 ORDER BY received_at DESC LIMIT $2`,
    [query, MAX_SHOWN],
  );
  if (rows.length === 0) return { kind: 'not_found', query };
  const ids = rows.map((r) => r.id);
  const [ex, hist, audit] = await Promise.all([
    db.query<{ order_id: number; type: string; status: string; reasons: MessageRef[]; assignee: string | null }>(
      `SELECT e.order_id, e.type, e.status, ${reasonsSql('e')} AS reasons, coalesce(s.name, e.assignee) AS assignee
       FROM exceptions e LEFT JOIN staff s ON s.id = e.assignee WHERE e.order_id = ANY($1) ORDER BY e.id`,
      [ids],
    ),
    db.query<{ order_id: number; at: Date; from_status: string | null; to_status: string; from_stage: string | null; to_stage: string }>(
      `SELECT order_id, at, from_status, to_status, from_stage, to_stage FROM order_history WHERE order_id = ANY($1) ORDER BY id`,
      [ids],
    ),
    db.query<{ order_id: number; at: Date; action: string; actor: string }>(
      `SELECT e.order_id, a.at, a.action, coalesce(s.name, a.actor) AS actor
       FROM audit_log a JOIN exceptions e ON a.entity = 'exception' AND e.id = a.entity_id
       LEFT JOIN staff s ON a.actor = 'staff:' || s.id
       WHERE e.order_id = ANY($1) ORDER BY a.id`,
      [ids],
    ),
  ]);
  return {
    kind: 'found',
    total: rows[0]!.n,
    orders: rows.map((r) => ({
      id: r.id,
      source: r.source,
      externalId: r.external_id,
      status: r.status,
      stage: r.stage,
      total: r.total,
      currency: r.currency,
      receivedAt: r.received_at,
      exceptions: ex.rows.filter((e) => e.order_id === r.id).map(({ order_id: _o, ...e }) => e),
      timeline: [
        ...hist.rows.filter((h) => h.order_id === r.id).map((h) => ({
          at: h.at,
          text: h.from_status === null ? `${h.to_status} / ${h.to_stage}` : h.from_status !== h.to_status ? `${h.from_status} → ${h.to_status}` : `${h.from_stage} → ${h.to_stage}`,
        })),
        ...audit.rows.filter((a) => a.order_id === r.id).map((a) => ({ at: a.at, text: `${a.action} · ${a.actor}` })),
      ].sort((a, b) => a.at.getTime() - b.at.getTime()).slice(-10),
    })),
  };
}

/**
 * The lookup behind `/order`, `@bot 查单` and the local page. Looking an order up by its exact id
 * during a storm also gives its digest lines cards of their own, posted to the team's channel with
 * their buttons: whoever asked can act on it at once instead of waiting for the storm to pass.
 */
export async function lookupAndShow(
  deps: { pool: pg.Pool; clock: Clock; cards: { changed(exceptionId: number, version: number): Promise<void> } },
  rawQuery: string,
): Promise<LookupResult> {
  const r = await lookupOrders(deps.pool, rawQuery);
  if (r.kind !== 'found' || isPhoneQuery(normalizeQuery(rawQuery))) return r;
  let released = 0;
  for (const o of r.orders) {
    for (const e of await releaseOrderLines(deps.pool, o.id, deps.clock.now())) {
      await deps.cards.changed(e.id, e.version);
      released++;
    }
  }
  return released > 0 ? { ...r, released } : r;
}

export interface StaffLookupDeps {
  pool: pg.Pool;
  clock: Clock;
  /** Given: a lookup by exact id also gives the order's storm-digest lines cards of their own. */
  cards?: { changed(exceptionId: number, version: number): Promise<void> };
}

/**
 * `/order`, `@bot 查单` and the local page's search, for staff only: someone not listed in `staff`
 * (or inactive) gets `not_staff` and nothing is read. Every lookup — allowed or denied — is written
 * to the audit trail: who, what was searched, when, and which orders it showed (one row per order
 * shown, entity `order`; entity id 0 when nothing matched or the asker was refused).
 */
export async function staffLookup(deps: StaffLookupDeps, who: ChatUser, rawQuery: string): Promise<LookupResult> {
  const query = normalizeQuery(rawQuery).slice(0, MAX_QUERY);
  const staff = await findStaffByChatUser(deps.pool, who);
  const at = deps.clock.now();
  const source = who.platform;
  if (!staff) {
    await insertAudit(deps.pool, { actor: `${who.platform}:${who.userId}`, source, entity: 'order', entityId: 0, action: 'order.lookup_denied', details: { query, at } });
    return { kind: 'not_staff' };
  }
  if (!query) return { kind: 'usage' };
  const r = deps.cards ? await lookupAndShow({ pool: deps.pool, clock: deps.clock, cards: deps.cards }, rawQuery) : await lookupOrders(deps.pool, rawQuery);
  const actor = `staff:${staff.id}`;
  const shown = r.kind === 'found' ? r.orders.map((o) => o.id) : [];
  const by = isPhoneQuery(query) ? 'phone_last4' : 'order_id';
  for (const entityId of shown.length > 0 ? shown : [0]) {
    await insertAudit(deps.pool, { actor, source, entity: 'order', entityId, action: 'order.lookup', details: { query, by, found: r.kind === 'found' ? r.total : 0, at } });
  }
  return r;
}
