/**
 * What the use cases need from the shop platforms, declared here and implemented in
 * src/integrations/platforms (wired in src/app.ts and src/jobs): pulling a shop's orders, fetching
 * one order whole, a platform's message queue, and turning a payload into an internal order.
 */
import type { Order } from '../orders/order';
import type { TimeWindow } from '../reconcile/window';
import type { ShopSettings, ShopSource } from '../reconcile/shop';

/** An order as a platform sent it: the mapped internal order and the payload, unknown fields included. */
export interface IncomingOrder {
  order: Order;
  /** The order as the platform sent it; unknown fields included. */
  raw: unknown;
  /**
   * The exact request bytes the order came in (a webhook body), kept beside the order in
   * `orders.raw_body` when its text had to be made storable, so nothing the platform sent is lost.
   */
  body?: Uint8Array;
  /** Repairs made before the order was written (bytes that were not UTF-8, a time dropped): the body is then kept too. */
  repaired?: string[];
}

/** A field of a payload that could not be read, and why. */
export interface ItemError {
  /** Position in a posted array; absent for a single order. */
  index?: number;
  field: string;
  message: string;
}

/** A page of pulled orders: what mapped, and what did not (reported, never silently dropped). */
export interface PullPage {
  /** The sub-window this page belongs to; a caller may checkpoint after its last page. */
  window: { since: string; until: string };
  /** The platform's page number as requested. */
  page: number;
  /** True on the last page requested for this window. */
  lastOfWindow: boolean;
  orders: IncomingOrder[];
  errors: ItemError[];
  /** The platform's count for the window, when it reports one. */
  total?: number;
}

/**
 * One shop's order list, ready to pull: every order updated in a window, page by page (each pull
 * client cuts the window into its platform's maximum span and pages in the order its platform
 * advises).
 *
 * @example
 *   for await (const page of puller.pull({ since, until })) await intake.ingest(page.orders);
 */
export interface Puller {
  source: ShopSource;
  pull(window: TimeWindow): AsyncGenerator<PullPage>;
  /** How far back the platform's list API serves orders, when it limits it. */
  maxLookbackDays?: number;
  /**
   * One order, whole, by its id: what a thin push (a status message) is followed by. Platforms whose
   * pushes are complete, or whose detail API is not wired, leave it out.
   */
  fetch?(externalId: string): Promise<IncomingOrder>;
}

export type PullerResult = { ok: true; puller: Puller } | { ok: false; reason: string };

/** Resolves a configured shop to its puller (the registry in integrations/platforms/pullers.ts, a fake in tests). */
export type PullerFor = (shop: ShopSettings) => PullerResult;

/**
 * One message of a platform's message channel (Taobao TMC, PDD PMC), read and mapped by its adapter.
 * `id` is what the platform wants confirmed; `headers` travel with a rejected message for a person.
 */
export interface ShopMessage {
  id?: string;
  raw: unknown;
  headers?: Record<string, string>;
  result: { kind: 'order'; order: IncomingOrder } | { kind: 'skip' } | { kind: 'error'; errors: ItemError[] };
}

/**
 * A platform message queue the bot polls (Taobao TMC): take a batch, confirm what was stored;
 * unconfirmed messages come back.
 *
 * @example
 *   const batch = await queue.consume(now.toISOString());
 *   await queue.confirm(batch.flatMap((m) => (m.id ? [m.id] : [])));
 */
export interface ShopMessageQueue {
  readonly source: string;
  /** Messages per consume call: a shorter batch means the queue is drained. */
  readonly batchSize: number;
  consume(receivedAt: string): Promise<ShopMessage[]>;
  confirm(ids: string[]): Promise<void>;
}

/**
 * One order payload in a known format (the generic JSON of PRODUCT.md) read into an internal order.
 * @example parse({ id: 'DY-1', … }) // { ok: true, order }
 */
export type OrderParser = (raw: unknown) => { ok: true; order: Order } | { ok: false; errors: { field: string; message: string }[] };
