import type pg from 'pg';
import type { MessageRef } from '../domain/message';
import type { ExceptionRoute, RulesConfig } from '../domain/orders/rules-types';
import type { Clock } from '../domain/ports';
import { defaultShipBy, detectSignals, type SignalFinding, type SignalTimer } from '../domain/signals/detect';
import { computePriority } from '../domain/signals/priority';
import type { SignalSettings } from '../domain/signals/settings';
import { insertAudit } from '../db/audit';
import { withTransaction } from '../db/pool';
import {
  lockSignalExceptions, openSeverities, readSignalRow, readTimers, upsertShipment, type ShipmentRow, type SignalException, type SignalRow,
} from '../db/signal-store';
import { formatTime, type Locale } from '../present/i18n';
import { renderMessage } from '../present/i18n/message';

const FALLBACK_ROUTE: ExceptionRoute = { team: 'warehouse', severity: 'warning', claimMinutes: 30, resolveMinutes: 60 };
const SHIPPED = new Set(['shipped', 'delivered']);
const PAID = new Set(['paid', 'partially_paid', 'completed']);

export interface SignalDeps {
  settings: SignalSettings;
  routes: RulesConfig['routes'];
  locale: Locale;
  timezone: string;
  /** The tracking subscription provider when one is configured (快递100); else parcels are tracked only by pushes to /webhooks/tracking/generic. */
  trackingProvider: 'kuaidi100' | null;
}

/** An exception and the version its card must show. */
export interface SignalCardRef {
  id: number;
  version: number;
}

export interface SignalOutcome {
  opened: SignalCardRef[];
  /** Changed in place (ship_overdue warning → breach). */
  changed: SignalCardRef[];
  closed: SignalCardRef[];
  /** Timers armed or moved: each needs its delayed job. */
  timers: SignalTimer[];
  /** A tracking subscription waits to be made (after commit, through the tracking port). */
  subscribe: boolean;
  priority: number;
}

const NOTHING: SignalOutcome = { opened: [], changed: [], closed: [], timers: [], subscribe: false, priority: 0 };

/**
 * The signals step for one order whose row the caller has locked (processing calls it in its own
 * transaction; timers and tracking pushes through `applySignals`). Fills the bot's estimates where
 * the platform gave no time (marked in times_estimated), keeps the shipment in step with the order,
 * opens / steps / resolves the signal exceptions and arms or drops their timers — each timer fires
 * once. `tags` are processing's fresh tags; `writePriority: false` leaves the priority to the caller;
 * `live` treats an imported order as live (processing clears its quiet flag in the same transaction).
 */
export async function applySignalsInTx(
  tx: pg.PoolClient, deps: SignalDeps, orderId: number, now: Date, opts: { tags?: string[]; writePriority?: boolean; live?: boolean } = {},
): Promise<SignalOutcome> {
  const read = await readSignalRow(tx, orderId);
  if (!read) return NOTHING;
  // Processing brings an imported (quiet) order to chat: it is live from this revision on.
  const o = opts.live ? { ...read.order, quiet: false } : read.order;
  let shipment = read.shipment;

  // The bot's clock (or the config default) only where the platform said nothing, and marked.
  const est = new Set(o.timesEstimated);
  let paidAt = o.paidAt;
  if (!paidAt && PAID.has(o.status)) {
    paidAt = now;
    est.add('paid_at');
  }
  let shippedAt = o.shippedAt;
  if (!shippedAt && SHIPPED.has(o.stage)) {
    shippedAt = now;
    est.add('shipped_at');
  }
  let shipByAt = o.shipByAt;
  if (!shipByAt || est.has('ship_by_at')) {
    shipByAt = defaultShipBy(deps.settings, o.channel, paidAt, o.presale);
    if (shipByAt) est.add('ship_by_at');
    else est.delete('ship_by_at');
  }

  // A platform or generic post that shipped with a tracking number starts tracking.
  if (SHIPPED.has(o.stage) && o.trackingNo && !shipment && !o.quiet) {
    await upsertShipment(tx, { orderId, trackingNo: o.trackingNo, carrier: o.carrier, shippedAt, provider: deps.trackingProvider ?? 'none', subscribe: deps.trackingProvider !== null });
    shipment = (await readSignalRow(tx, orderId))!.shipment;
  }

  const verdict = detectSignals({
    channel: o.channel, status: o.status, stage: o.stage, presale: o.presale, holdReason: o.holdReason, refundStatus: o.refundStatus,
    paidAt, shipByAt, shipByEstimated: est.has('ship_by_at'),
    shipment: shipment ? trackingState(shipment, shippedAt) : null,
  }, deps.settings, now);

  // A historical order from an import stays out of chat: no exceptions, no timers.
  const findings = o.quiet ? [] : verdict.findings;
  const refs = await reconcileExceptions(tx, deps, o, findings, now);
  const timers = o.quiet ? [] : await reconcileTimers(tx, orderId, verdict.timers, now);

  const step = findings.find((f) => f.type === 'ship_overdue')?.step;
  const priority = computePriority({ tags: opts.tags ?? o.tags, openSeverities: await openSeverities(tx, orderId), shipOverdue: step });
  const estimated = [...est].sort();
  const timesChanged = paidAt?.getTime() !== o.paidAt?.getTime() || shippedAt?.getTime() !== o.shippedAt?.getTime()
    || shipByAt?.getTime() !== o.shipByAt?.getTime() || estimated.join() !== [...o.timesEstimated].sort().join();
  const writePriority = opts.writePriority !== false && priority !== o.priority;
  if (timesChanged || writePriority) {
    await tx.query(
      `UPDATE orders SET paid_at = $2, shipped_at = $3, ship_by_at = $4, times_estimated = $5,
         priority = CASE WHEN $6 THEN $7 ELSE priority END WHERE id = $1`,
      [orderId, paidAt, shippedAt, shipByAt, estimated, writePriority, priority],
    );
  }
  return { ...refs, timers, subscribe: shipment?.subscription === 'pending', priority };
}

/** `applySignalsInTx` in a transaction of its own, the order row locked (timers, tracking pushes). */
export async function applySignals(deps: SignalDeps & { pool: pg.Pool; clock: Clock }, orderId: number): Promise<SignalOutcome | null> {
  return withTransaction(deps.pool, async (tx) => {
    const { rows } = await tx.query('SELECT id FROM orders WHERE id = $1 FOR UPDATE', [orderId]);
    if (rows.length === 0) return null;
    return applySignalsInTx(tx, deps, orderId, deps.clock.now());
  }, { actor: 'system', via: 'signals' });
}

function trackingState(s: ShipmentRow, shippedAt: Date | null) {
  return {
    tracked: s.subscription === 'subscribed' || s.subscription === 'closed' || s.provider === 'generic' || s.lastEventAt !== null,
    shippedAt: s.shippedAt ?? shippedAt, pickedUpAt: s.pickedUpAt, lastEventAt: s.lastEventAt, state: s.state, aborted: s.abortedAt !== null,
  };
}

/** Reason text snapshot (configured locale) beside its keys; times shown in the configured zone. */
function renderReason(deps: SignalDeps, ref: MessageRef, now: Date): { text: string; ref: MessageRef } {
  const params = { ...ref.params };
  for (const k of ['shipBy', 'since'] as const) {
    if (typeof params[k] === 'string') params[k] = formatTime(params[k], deps.timezone, deps.locale, now);
  }
  const shown = { key: ref.key, params };
  return { text: renderMessage(deps.locale, shown), ref: shown };
}

async function reconcileExceptions(
  tx: pg.PoolClient, deps: SignalDeps, o: SignalRow, findings: SignalFinding[], now: Date,
): Promise<Pick<SignalOutcome, 'opened' | 'changed' | 'closed'>> {
  const existing = await lockSignalExceptions(tx, o.id);
  const byType = new Map(existing.map((e) => [e.type, e]));
  const out: Pick<SignalOutcome, 'opened' | 'changed' | 'closed'> = { opened: [], changed: [], closed: [] };
  for (const f of findings) {
    const route = deps.routes[f.type] ?? deps.routes.default ?? FALLBACK_ROUTE;
    const severity = f.severity ?? route.severity;
    const reason = renderReason(deps, f.reason, now);
    const known = byType.get(f.type);
    if (!known) {
      const { rows } = await tx.query<{ id: number }>(
        `INSERT INTO exceptions (order_id, type, rule, reason, reason_refs, team, severity, step, claim_due_at, resolve_due_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (order_id, type) DO NOTHING RETURNING id`,
        [o.id, f.type, f.rule, reason.text, JSON.stringify([reason.ref]), route.team, severity, f.step ?? null,
          new Date(now.getTime() + route.claimMinutes * 60_000), new Date(now.getTime() + route.resolveMinutes * 60_000)],
      );
      if (!rows[0]) continue;
      out.opened.push({ id: rows[0].id, version: 1 });
      await insertAudit(tx, {
        actor: 'system', source: 'signals', entity: 'exception', entityId: rows[0].id, action: 'exception.opened',
        after: { status: 'open', type: f.type, team: route.team, step: f.step ?? null }, details: { rule: f.rule, reason: reason.ref },
      });
    } else if (known.status !== 'resolved' && (known.step ?? null) !== (f.step ?? null) && stepForward(known, f)) {
      await tx.query(
        `UPDATE exceptions SET step = $2, severity = $3, rule = $4, reason = $5, reason_refs = $6, version = version + 1, updated_at = $7 WHERE id = $1`,
        [known.id, f.step ?? null, severity, f.rule, reason.text, JSON.stringify([reason.ref]), now],
      );
      out.changed.push({ id: known.id, version: known.version + 1 });
      await insertAudit(tx, {
        actor: 'system', source: 'signals', entity: 'exception', entityId: known.id, action: 'exception.step',
        before: { step: known.step, severity: known.severity, version: known.version }, after: { step: f.step ?? null, severity, version: known.version + 1 },
        details: { rule: f.rule, reason: reason.ref },
      });
    }
  }
  const wanted = new Set<string>(findings.map((f) => f.type));
  for (const e of existing) {
    if (e.status === 'resolved' || wanted.has(e.type)) continue;
    const resolution = ['cancelled', 'refunded', 'closed'].includes(o.status) ? `order ${o.status}`
      : e.type === 'ship_overdue' && SHIPPED.has(o.stage) ? 'shipped'
      : 'condition cleared by an order update';
    await tx.query(
      `UPDATE exceptions SET status = 'resolved', resolved_at = $2, resolution = $3, version = version + 1, updated_at = $2 WHERE id = $1`,
      [e.id, now, resolution],
    );
    out.closed.push({ id: e.id, version: e.version + 1 });
    await insertAudit(tx, {
      actor: 'system', source: 'signals', entity: 'exception', entityId: e.id, action: 'exception.auto_resolved',
      before: { status: e.status, version: e.version }, after: { status: 'resolved', version: e.version + 1 }, details: { resolution },
    });
  }
  return out;
}

/** Steps only move forward: a breach never goes back to a warning (each fires once). */
const STEP_RANK: Record<string, number> = { warning: 1, breach: 2 };
const stepForward = (known: SignalException, f: SignalFinding): boolean => (STEP_RANK[f.step ?? ''] ?? 0) > (STEP_RANK[known.step ?? ''] ?? 0);

/**
 * Bring order_timers in line with the verdict: arm new ones, move unfired ones whose due time
 * changed, mark due ones fired (the verdict has acted on them), drop unfired ones no longer wanted.
 * Returns the timers that need a (new) delayed job.
 */
async function reconcileTimers(tx: pg.PoolClient, orderId: number, wanted: SignalTimer[], now: Date): Promise<SignalTimer[]> {
  const have = new Map((await readTimers(tx, orderId)).map((t) => [t.kind, t]));
  const arm: SignalTimer[] = [];
  for (const w of wanted) {
    const h = have.get(w.kind);
    const due = w.dueAt.getTime() <= now.getTime();
    if (!h) {
      await tx.query('INSERT INTO order_timers (order_id, kind, due_at, fired_at, armed_at) VALUES ($1, $2, $3, $4, $5)', [orderId, w.kind, w.dueAt, due ? now : null, now]);
      if (!due) arm.push(w);
    } else if (h.firedAt === null && h.dueAt.getTime() !== w.dueAt.getTime()) {
      await tx.query('UPDATE order_timers SET due_at = $3, fired_at = $4, armed_at = $5 WHERE order_id = $1 AND kind = $2', [orderId, w.kind, w.dueAt, due ? now : null, now]);
      if (!due) arm.push(w);
    } else if (h.firedAt === null && due) {
      await tx.query('UPDATE order_timers SET fired_at = $3 WHERE order_id = $1 AND kind = $2', [orderId, w.kind, now]);
    }
  }
  const keep = new Set(wanted.map((w) => w.kind));
  const drop = [...have.values()].filter((h) => h.firedAt === null && !keep.has(h.kind)).map((h) => h.kind);
  if (drop.length > 0) await tx.query('DELETE FROM order_timers WHERE order_id = $1 AND kind = ANY($2) AND fired_at IS NULL', [orderId, drop]);
  return arm;
}
