/**
 * The way out to the shops: one port per platform and shop, implemented by each platform's adapter in
 * src/integrations/platforms/<name>/shop-port.ts and wired in src/app.ts. Actions never see a
 * platform's wire format, only these shapes and ShopPushError.
 *
 * @example
 *   const port = shops.portFor('jd', 'jd-main');
 *   if (port.ok) await port.port.setPrice(listing, { price: '599.00' });
 */

/** The platform's own ids of one listing, stored with it when it is pulled (see `listing_ref`). */
export interface ListingRef {
  /** Douyin product_id, Taobao num_iid, PDD goods_id, JD wareId, Shopify product GID. */
  productId?: string;
  /** Douyin / Taobao / PDD / JD sku id. */
  skuId?: string;
  /** Taobao: the SKU's property string (pid:vid;pid:vid), required to price it. */
  properties?: string;
  /** Shopify: the variant GID, its inventory item GID and the location the stock is set at. */
  variantId?: string;
  inventoryItemId?: string;
  locationId?: string;
  /** Pinduoduo: the single-buy price (单买价) seen with the group price, kept when pricing. */
  singlePrice?: string;
}

/** One listing as a platform shows it, matched to a master SKU by the seller's merchant code. */
export interface ShopListing {
  /** The merchant code (Douyin code, Taobao outer_id, PDD out_sku_sn, JD outerId, Shopify sku). */
  merchantCode: string;
  stock: number | null;
  price: string | null;
  ref: ListingRef;
}

/** What a push addresses: a listing of a SKU on one platform/shop, with the ids a pull stored. */
export interface PushTarget {
  sku: string;
  platform: string;
  shop: string;
  ref: ListingRef | null;
  /** What the platform showed last (Shopify's compare-and-set; PDD keeps the single-buy price's gap). */
  lastStock: number | null;
  lastPrice: string | null;
  /** Stable across retries of the same push (`price:<id>:<round>`, `stock:<sku>:<at>`): an idempotency key. */
  pushKey: string;
}

/** A pull, page by page; `calls` counts the API calls made so far (for the pull's record). */
export interface ListingPage {
  listings: ShopListing[];
  calls: number;
}

export interface ShopPort {
  readonly platform: string;
  /** Set the SKU's price (the master price, decimal string in yuan / the shop currency). */
  setPrice(target: PushTarget, price: string): Promise<void>;
  /** Set the sellable quantity as a full figure (never a delta). */
  setStock(target: PushTarget, quantity: number): Promise<void>;
  /** Read every listing of the shop (platforms without a read call leave it out). */
  readListings?(): AsyncGenerator<ListingPage>;
}

/**
 * The seller's own endpoint for order changes (the signed ERP webhook): one event per change that
 * matters to shipping, with the effective order. `id` is stable across retries.
 * @example await erp.send({ id: 'order-change-42', type: 'order.changed', events: ['address_fixed'], order })
 */
export interface OutboundPort {
  send(event: { id: string; type: string; [k: string]: unknown }): Promise<void>;
}

/** Resolves a platform/shop of a listing to its port, or says why there is none (shown on the card). */
export interface ShopPorts {
  portFor(platform: string, shop: string): { ok: true; port: ShopPort } | { ok: false; reason: string };
}

/**
 * A push the platform refused or could not take, classified by the adapter's error table:
 * `throttled` waits (retryAfterMs when the platform said) and is tried again, `transient` (5xx,
 * network, busy) is retried with backoff, `permanent` (bad id, price out of range, no permission) is
 * recorded with the platform's own text and waits for a person.
 */
export class ShopPushError extends Error {
  constructor(
    readonly kind: PushErrorKind,
    readonly code: string,
    /** The platform's own message, shown on the card (e.g. 价格超出范围). */
    readonly platformMessage: string,
    readonly retryAfterMs?: number,
  ) {
    super(`${kind} ${code}: ${platformMessage}`);
    this.name = 'ShopPushError';
  }
}

export type PushErrorKind = 'throttled' | 'transient' | 'permanent';

/** One row of an adapter's error table: a platform code (exact) or message pattern → the kind. */
export interface ErrorRule {
  code?: string | RegExp;
  message?: RegExp;
  kind: PushErrorKind;
}

/**
 * Classify a platform error by a table, first match wins; `fallback` for anything unlisted.
 * @example classifyError(TABLE, { code: 'isv.invalid-parameter', message: '价格超出范围' }, 'permanent')
 */
export function classifyError(table: readonly ErrorRule[], e: { code: string; message: string }, fallback: PushErrorKind): PushErrorKind {
  for (const r of table) {
    const codeOk = r.code === undefined || (typeof r.code === 'string' ? r.code === e.code : r.code.test(e.code));
    const msgOk = r.message === undefined || r.message.test(e.message);
    if (codeOk && msgOk) return r.kind;
  }
  return fallback;
}
