import type pg from 'pg';
import { classify } from '../domain/orders/classify';
import { isTerminalStatus, type Order } from '../domain/orders/order';
import type { DetectedException, RulesConfig } from '../domain/orders/rules-types';
import type { Clock } from '../domain/ports';
import { withTransaction } from '../db/pool';
import { insertAudit } from '../db/audit';
import type { InventorySettings } from '../domain/inventory/types';
import { reserveStock } from './inventory/reserve-stock';
import { renderReasons } from '../present/i18n/message';
import type { Locale } from '../present/i18n';
import { dueTimes } from '../domain/sla/due';
import type { WorkCalendar } from '../domain/calendar';
import { applySignalsInTx, type SignalDeps, type SignalOutcome } from './apply-signals';
import { isSignalType } from '../domain/signals/settings';

/** Stages at which the goods have left the warehouse. */
const SHIPPED_STAGES = new Set(['shipped', 'delivered']);

export interface ProcessDeps {
  pool: pg.Pool;
  rules: RulesConfig;
  clock: Clock;
  /** The language of the `reason` text kept beside the reason keys (for people reading the table). */
  locale: Locale;
  /** With inventory enabled, processing reserves the order's stock from its channel's pool. */
  inventory?: InventorySettings;
  /** The work calendar, for routes on a business clock (without it every clock is the wall clock). */
  calendar?: WorkCalendar;
  /** With signals, each processed order also gets its ship-by, refund and tracking check (apply-signals.ts). */
  signals?: SignalDeps;
}

export type ProcessOutcome =
  | { status: 'missing' }
  | { status: 'up_to_date' }
  | {
      status: 'processed'; opened: CardRef[]; closed: CardRef[]; autoApproved: boolean; tags: string[]; cards?: { key: string; version: number }[];
      /** A thin push, left unjudged: the whole order should be fetched from the platform. */
      thin?: { revision: number };
      /** What the signals step changed beyond opened/closed, and the jobs it needs after commit. */
      signals?: Pick<SignalOutcome, 'changed' | 'timers' | 'subscribe'>;
    };

/** An exception and the version its card must show. */
export interface CardRef {
  id: number;
  version: number;
}

interface ExistingException {
  id: number;
  type: string;
  status: string;
  version: number;
  /** Recorded by a history import, not yet shown in chat. */
  quiet: boolean;
}

/**
 * Run the rules on the order's current revision and bring its exceptions in line, idempotently:
 * the order row is locked, a revision already processed is skipped, each (order, type) exists once.
 * An exception whose condition is gone (payment arrived, order cancelled) is resolved by the system;
 * a resolved one is never reopened by a later revision. An order from a history import is quiet
 * until it is processed here: then its open exceptions come to chat like new ones (fresh SLA due
 * times), and a revision the import wrote takes no stock.
 */
export async function processOrder(deps: ProcessDeps, orderId: number): Promise<ProcessOutcome> {
  return withTransaction(
    deps.pool,
    async (tx) => {
      const { rows } = await tx.query<{ data: Order; address_override: Order['address'] | null; revision: number; processed_revision: number; stage: string; imported_revision: number | null }>(
        'SELECT data, address_override, revision, processed_revision, stage, imported_revision FROM orders WHERE id = $1 FOR UPDATE',
        [orderId],
      );
      const row = rows[0];
      if (!row) return { status: 'missing' as const };
      if (row.processed_revision >= row.revision) return { status: 'up_to_date' as const };

      // An address fixed by a person wins over the platform's.
      const order: Order = row.address_override ? { ...row.data, address: row.address_override } : row.data;
      const now = deps.clock.now();
      if ((row.data as { partial?: boolean }).partial === true) {
        // A thin platform push (status only, no items or address): judging it would raise false
        // exceptions. It is judged when the full order arrives (a detail fetch or reconciliation).
        await tx.query('UPDATE orders SET processed_revision = revision, quiet = false WHERE id = $1', [orderId]);
        return { status: 'processed' as const, opened: [], closed: [], autoApproved: false, tags: [], thin: { revision: row.revision } };
      }
      // Reserving locks the order's SKU rows: concurrent orders for the last units queue here.
      const reservation = deps.inventory?.enabled
        ? await reserveStock(tx, deps.inventory, { orderId, order, revision: row.revision, now, take: row.imported_revision !== row.revision, shipped: SHIPPED_STAGES.has(row.stage) })
        : undefined;
      // Stock is judged only before shipping: a shipped order's goods have already left.
      const stock = !deps.rules.stock.enabled || SHIPPED_STAGES.has(row.stage) ? undefined : reservation ? reservation.stock : await loadStock(tx, order);
      const result = classify(order, deps.rules, { now: now.toISOString(), stock });

      const existing = (
        await tx.query<ExistingException>(
          'SELECT id, type, status, version, quiet FROM exceptions WHERE order_id = $1 FOR UPDATE',
          [orderId],
        )
      ).rows;
      const byType = new Map(existing.map((e) => [e.type, e]));
      const detectedTypes = new Set(result.exceptions.map((e) => e.type));

      const opened: CardRef[] = [];
      for (const ex of result.exceptions) {
        const known = byType.get(ex.type);
        if (known?.quiet && known.status !== 'resolved') {
          opened.push(await surface(tx, known, ex, now, row.revision, deps.calendar));
          continue;
        }
        if (known) continue;
        const sla = slaOf(ex, now, deps.calendar);
        const ins = await tx.query<{ id: number }>(
          `INSERT INTO exceptions (order_id, type, rule, reason, reason_refs, team, severity, claim_due_at, resolve_due_at,
             sla_clock, sla_started_at, claim_minutes, resolve_minutes)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           ON CONFLICT (order_id, type) DO NOTHING RETURNING id`,
          [orderId, ex.type, ex.rule, renderReasons(deps.locale, ex.reasons), JSON.stringify(ex.reasons), ex.team, ex.severity, ...sla],
        );
        const id = ins.rows[0]?.id;
        if (id === undefined) continue;
        opened.push({ id, version: 1 });
        await insertAudit(tx, {
          actor: 'system', source: 'worker', entity: 'exception', entityId: id, action: 'exception.opened',
          after: { status: 'open', type: ex.type, team: ex.team }, details: { rule: ex.rule, reasons: ex.reasons, revision: row.revision },
        });
      }

      const closed: CardRef[] = [];
      const terminal = isTerminalStatus(order.status);
      for (const ex of existing) {
        // Signal exceptions (ship-by, refunds, tracking) are the signals step's own.
        if (ex.status === 'resolved' || detectedTypes.has(ex.type) || isSignalType(ex.type)) continue;
        const resolution = terminal ? `order ${order.status}` : 'condition cleared by an order update';
        await tx.query(
          `UPDATE exceptions SET status = 'resolved', resolved_at = $2, resolution = $3, version = version + 1, updated_at = $2
           WHERE id = $1`,
          [ex.id, now, resolution],
        );
        closed.push({ id: ex.id, version: ex.version + 1 });
        await insertAudit(tx, {
          actor: 'system', source: 'worker', entity: 'exception', entityId: ex.id, action: 'exception.auto_resolved',
          before: { status: ex.status, version: ex.version }, after: { status: 'resolved', version: ex.version + 1 },
          details: { resolution, revision: row.revision },
        });
      }

      const stillOpen = existing.some((e) => e.status !== 'resolved' && detectedTypes.has(e.type)) || opened.length > 0;
      const payable = order.status === 'paid' || order.status === 'completed';
      const autoApproved = result.autoApproved && !stillOpen;
      // After the review decision: a ship-by warning or a tracking problem does not hold the review.
      const signals = deps.signals ? await applySignalsInTx(tx, deps.signals, orderId, now, { tags: result.tags, writePriority: false, live: true }) : undefined;
      if (signals) {
        opened.push(...signals.opened);
        closed.push(...signals.closed);
      }
      await tx.query(
        `UPDATE orders SET tags = $2, priority = $3, processed_revision = revision, quiet = false,
           review_status = CASE WHEN review_status = 'approved' THEN 'approved' WHEN $4 THEN 'auto_approved' ELSE 'held' END,
           stage = CASE WHEN $4 AND $5 AND stage = 'pending' THEN 'reviewed' ELSE stage END,
           stage_changed_at = CASE WHEN $4 AND $5 AND stage = 'pending' THEN now() ELSE stage_changed_at END
         WHERE id = $1`,
        [orderId, result.tags, signals?.priority ?? result.priority, autoApproved, payable],
      );
      return {
        status: 'processed' as const, opened, closed, autoApproved, tags: result.tags, cards: reservation?.cards ?? [],
        signals: signals && { changed: signals.changed, timers: signals.timers, subscribe: signals.subscribe },
      };
    },
    { actor: 'system', via: 'worker' },
  );
}

/** Bring an exception recorded quietly by a history import to chat, as if it had just opened. */
async function surface(tx: pg.PoolClient, known: ExistingException, ex: DetectedException, now: Date, revision: number, calendar?: WorkCalendar): Promise<CardRef> {
  await tx.query(
    `UPDATE exceptions SET quiet = false, claim_due_at = $2, resolve_due_at = $3, sla_clock = $4, sla_started_at = $5,
       claim_minutes = $6, resolve_minutes = $7, version = version + 1, updated_at = $5
     WHERE id = $1`,
    [known.id, ...slaOf(ex, now, calendar)],
  );
  await insertAudit(tx, {
    actor: 'system', source: 'worker', entity: 'exception', entityId: known.id, action: 'exception.surfaced',
    before: { quiet: true, version: known.version }, after: { quiet: false, version: known.version + 1 },
    details: { reason: 'order updated after a history import', revision },
  });
  return { id: known.id, version: known.version + 1 };
}

/**
 * The SLA columns of an exception whose clock starts `now`: claim and resolve due instants on the
 * route's clock (wall, or the team's working time), then what they were computed from (clock,
 * start, minutes) so a calendar change can recompute them. The one place processing decides due times.
 */
function slaOf(ex: DetectedException, now: Date, calendar?: WorkCalendar): [Date, Date, string, Date, number, number] {
  const clock = ex.clock ?? 'wall';
  const due = dueTimes({ clock, team: ex.team, start: now, claimMinutes: ex.claimMinutes, resolveMinutes: ex.resolveMinutes }, calendar);
  return [due.claimDueAt, due.resolveDueAt, clock, now, ex.claimMinutes, ex.resolveMinutes];
}

async function loadStock(tx: pg.PoolClient, order: Order): Promise<Map<string, number>> {
  const skus = [...new Set(order.items.map((i) => i.sku))];
  const { rows } = await tx.query<{ sku: string; stock: number }>('SELECT sku, stock FROM skus WHERE sku = ANY($1)', [skus]);
  return new Map(rows.map((r) => [r.sku, r.stock]));
}
