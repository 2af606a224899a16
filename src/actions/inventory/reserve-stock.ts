import type pg from 'pg';
import { isTerminalStatus, type Order, type OrderStatus } from '../../domain/orders/order';
import { applyTake, availability, demandOf, planReservation, type SkuPools, type Take } from '../../domain/inventory/pools';
import type { InventorySettings } from '../../domain/inventory/types';
import { heldReservations, insertReservation, lockSkus, markConsumed, markReleased, moveCounters, type HeldReservation } from '../../db/inventory-stock';
import { syncLowStock, type CardKeyRef } from '../../db/inventory-alerts';
import { insertInventoryAudit } from '../../db/inventory-audit';
import { loadPoolOverrides } from '../../db/pool-overrides';
import { markStockDirty } from '../../db/shop-pushes';
import { applyOverrides, type PoolOverride } from '../../domain/inventory/pool-overrides';

/** Orders that hold stock: paid in full or in part (a presale deposit), or already completed. */
export const RESERVING_STATUSES: readonly OrderStatus[] = ['paid', 'partially_paid', 'completed'];

export interface StockOutcome {
  /** Available units per SKU for this order's channel, as the rule engine's `ctx.stock`. */
  stock: Map<string, number>;
  /** Low-stock cards to re-render after commit. */
  cards: CardKeyRef[];
  reserved: Take[];
  released: number;
}

/**
 * Reserve (or release) an order's stock inside the order's processing transaction. The SKU rows
 * are locked, so of any number of concurrent orders for the last units exactly as many as there are
 * units get them, and the rest see too little and become stock-out exceptions. Idempotent: an order
 * that already holds what it asks for keeps it; a cancelled or refunded order gives it back; an
 * order whose lines changed gives back and takes anew. All or nothing per order. With `take: false`
 * (a revision written by a history import: its units are history) it only keeps or gives back.
 */
export async function reserveStock(
  tx: pg.PoolClient,
  inv: InventorySettings,
  o: { orderId: number; order: Order; revision: number; now: Date; take?: boolean; shipped?: boolean },
): Promise<StockOutcome> {
  const { order, orderId, now } = o;
  const demand = demandOf(order.items);
  // Always read what is held (even on a first run): a reprocessed order must never reserve twice.
  const held = await heldReservations(tx, orderId);
  const skuCodes = [...new Set([...demand.map((d) => d.sku), ...held.map((h) => h.sku)])].sort();
  const locked = await lockSkus(tx, skuCodes);
  const skus = new Map<string, SkuPools>();
  // Pools set from chat or the CLI replace the configured reserve of their channel for that SKU.
  const overrides = locked.size > 0 ? await loadPoolOverrides(tx, [...locked.keys()]) : new Map<string, PoolOverride[]>();
  for (const [sku, l] of locked) {
    const rules = inv.skuPools[sku] ?? inv.pools;
    const own = overrides.get(sku);
    skus.set(sku, { stock: l.stock, rules: own ? applyOverrides(rules, own) : rules });
  }

  const shop = order.shop ?? null;
  // A shipped (or completed) order's units have left: what it held is consumed, nothing is taken anew.
  const shipped = o.shipped === true || order.status === 'completed';
  const reserving = RESERVING_STATUSES.includes(order.status) && !shipped;
  const sameAsHeld =
    held.length > 0 &&
    held.length === demand.filter((d) => skus.has(d.sku)).length &&
    held.every((h) => demand.some((d) => d.sku === h.sku && d.qty === h.qty));

  let released = 0;
  let reserved: Take[] = [];
  let stock: Map<string, number>;
  if (reserving && sameAsHeld) {
    // Already holds exactly this: a re-run or a revision that did not change the lines.
    stock = availability(skus, order.channel, shop);
    for (const h of held) stock.set(h.sku, (stock.get(h.sku) ?? 0) + h.qty);
  } else {
    if (held.length > 0 && shipped && !isTerminalStatus(order.status)) {
      await consume(tx, held, skus, inv.onShip === 'deduct', now);
      released = held.length;
      await insertInventoryAudit(tx, {
        actor: 'system', source: 'worker', entity: 'order', entityId: orderId, action: 'stock.consumed',
        details: { onShip: inv.onShip, revision: o.revision, lines: held.map((h) => ({ sku: h.sku, qty: h.qty, pool: h.pool })) },
      });
    } else if (held.length > 0) {
      const reason = isTerminalStatus(order.status) ? `order ${order.status}` : reserving ? 'order lines changed' : `order ${order.status}`;
      await release(tx, held, skus, reason, now);
      released = held.length;
      await insertInventoryAudit(tx, {
        actor: 'system', source: 'worker', entity: 'order', entityId: orderId, action: 'stock.released',
        details: { reason, revision: o.revision, lines: held.map((h) => ({ sku: h.sku, qty: h.qty, pool: h.pool })) },
      });
    }
    stock = availability(skus, order.channel, shop);
    if (reserving && o.take !== false) {
      const plan = planReservation(demand, skus, order.channel, shop);
      if (plan.ok && plan.takes.length > 0) {
        for (const t of plan.takes) {
          await insertReservation(tx, { orderId, channel: order.channel, revision: o.revision, now, ...t });
          await moveCounters(tx, t, 1);
          const s = skus.get(t.sku)!;
          s.stock = applyTake(s.stock, t, 1);
        }
        reserved = plan.takes;
        await insertInventoryAudit(tx, {
          actor: 'system', source: 'worker', entity: 'order', entityId: orderId, action: 'stock.reserved',
          details: { revision: o.revision, channel: order.channel, lines: plan.takes },
        });
      }
    }
  }

  // What the shops may sell moved: their figures go out at the next push tick (same transaction).
  if (reserved.length > 0 || released > 0) await markStockDirty(tx, [...skus.keys()], now);

  // Demand on a SKU under its threshold opens its low-stock alert; a release may clear it.
  const cards = await syncLowStock(
    tx,
    [...skus].map(([sku, s]) => ({ sku, stock: s.stock.stock, reserved: s.stock.reserved, threshold: locked.get(sku)!.threshold })),
    { team: inv.team, defaultThreshold: inv.lowStockThreshold, now, mayOpen: true, actor: 'system', via: 'worker' },
  );
  return { stock, cards, reserved, released };
}

/** Shipped: the reservation ends and, with `deduct`, the units leave the count on hand too. */
async function consume(tx: pg.PoolClient, held: HeldReservation[], skus: Map<string, SkuPools>, deduct: boolean, now: Date): Promise<void> {
  for (const h of held) {
    await moveCounters(tx, h, -1);
    const s = skus.get(h.sku);
    if (s) {
      s.stock = applyTake(s.stock, h, -1);
      if (deduct) s.stock = { ...s.stock, stock: Math.max(s.stock.stock - h.qty, 0) };
    }
  }
  await markConsumed(tx, held, deduct, now);
}

async function release(tx: pg.PoolClient, held: HeldReservation[], skus: Map<string, SkuPools>, reason: string, now: Date): Promise<void> {
  for (const h of held) {
    await moveCounters(tx, h, -1);
    const s = skus.get(h.sku);
    if (s) s.stock = applyTake(s.stock, h, -1);
  }
  await markReleased(tx, held.map((h) => h.id), reason, now);
}
