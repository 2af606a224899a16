import { hash } from 'node:crypto';
import type { Order } from '../domain/orders/order';
import { makeStorable } from '../domain/orders/storable';
import type { IncomingOrder } from '../domain/platforms/ports';
import type { Queryable } from './pool';

export type { IncomingOrder } from '../domain/platforms/ports';

export type WriteOutcome = 'created' | 'updated' | 'unchanged';

export interface WriteResult {
  source: string;
  externalId: string;
  outcome: WriteOutcome;
  /** Set when the row was written (created or updated): what processing must catch up with. */
  id?: number;
  revision?: number;
}

export const orderKey = (o: IncomingOrder): string => `${o.order.source}\u0000${o.order.externalId}`;

/**
 * When an incoming row (EXCLUDED) replaces the stored one (o): its content differs and it is not
 * older — by the platform's updated_at when both have one, else by status rank (paid → cancelled
 * applies, the reverse is ignored). Shared by the webhook upsert and the history import.
 */
export const REPLACES_STORED = `o.content_hash <> EXCLUDED.content_hash
  AND CASE WHEN o.platform_updated_at IS NOT NULL AND EXCLUDED.platform_updated_at IS NOT NULL
        THEN EXCLUDED.platform_updated_at > o.platform_updated_at
          OR (EXCLUDED.platform_updated_at = o.platform_updated_at
              AND orderops_status_rank(EXCLUDED.status) >= orderops_status_rank(o.status))
        ELSE orderops_status_rank(EXCLUDED.status) >= orderops_status_rank(o.status) END`;

/** SET clauses that move the stored stage (o.stage) forward to `incoming`, never back. */
export function forwardStage(incoming: string): string {
  const ahead = `orderops_stage_rank(${incoming}) > orderops_stage_rank(o.stage)`;
  return `stage = CASE WHEN ${ahead} THEN ${incoming} ELSE o.stage END,
  stage_changed_at = CASE WHEN ${ahead} THEN now() ELSE o.stage_changed_at END`;
}

/** The incoming post is a thin push (data.partial: a status message with no items or address). */
const THIN = `coalesce((EXCLUDED.data->>'partial')::boolean, false)`;
/** What a thin push may change: status, times, flags — plus an address or amounts when it has them. */
const THIN_DATA = `(EXCLUDED.data - 'items' - 'total' - 'buyer' - 'address' - 'logistics' - 'presale' - 'createdAt' - 'partial')
  || CASE WHEN EXCLUDED.data->'address' IS NOT NULL AND EXCLUDED.data->'address' <> '{}'::jsonb
       THEN jsonb_build_object('address', EXCLUDED.data->'address') ELSE '{}'::jsonb END
  || CASE WHEN EXCLUDED.total > 0 THEN jsonb_build_object('total', EXCLUDED.data->'total') ELSE '{}'::jsonb END
  || jsonb_build_object('partial', coalesce(o.data->'partial', 'false'::jsonb))`;

/** A thin push onto a fuller order keeps the fuller order's raw payload (and its request bytes). */
const KEEPS_RAW = `${THIN} AND NOT coalesce((o.data->>'partial')::boolean, false)`;

/**
 * One statement for the whole batch. A repost with the same content changes nothing; a post that
 * is older (by the platform's updated_at, or else by status rank) is ignored; anything else
 * replaces the order, bumps its revision (so processing runs again) and advances — never rewinds —
 * its stage. The history trigger records each status/stage transition.
 */
const UPSERT_SQL = `
INSERT INTO orders AS o (source, external_id, channel, shop, status, stage, platform_created_at,
  platform_updated_at, total, paid, currency, buyer_phone, data, raw, content_hash, raw_body, text_repaired)
SELECT t.source, t.external_id, t.channel, t.shop, t.status, coalesce(t.stage, 'pending'), t.created_at,
  t.updated_at, t.total, t.paid, t.currency, t.buyer_phone, t.data, t.raw, t.hash, decode(t.raw_body, 'base64'),
  t.text_repaired
FROM jsonb_to_recordset($1::jsonb) AS t(source text, external_id text, channel text, shop text, status text,
  stage text, created_at timestamptz, updated_at timestamptz, total numeric, paid numeric, currency text,
  buyer_phone text, data jsonb, raw jsonb, hash text, raw_body text, text_repaired text[])
ON CONFLICT (source, external_id) DO UPDATE SET
  channel = EXCLUDED.channel,
  shop = coalesce(EXCLUDED.shop, o.shop),
  status = EXCLUDED.status,
  ${forwardStage('EXCLUDED.stage')},
  -- A thin push never wipes what a fuller post gave: amounts, items, buyer, address, creation time.
  platform_created_at = CASE WHEN ${THIN} THEN o.platform_created_at ELSE EXCLUDED.platform_created_at END,
  platform_updated_at = EXCLUDED.platform_updated_at,
  total = CASE WHEN ${THIN} AND EXCLUDED.total = 0 THEN o.total ELSE EXCLUDED.total END,
  paid = CASE WHEN ${THIN} THEN coalesce(EXCLUDED.paid, o.paid) ELSE EXCLUDED.paid END,
  currency = EXCLUDED.currency,
  buyer_phone = CASE WHEN ${THIN} THEN coalesce(EXCLUDED.buyer_phone, o.buyer_phone) ELSE EXCLUDED.buyer_phone END,
  data = CASE WHEN ${THIN} THEN o.data || ${THIN_DATA} ELSE EXCLUDED.data END,
  raw = CASE WHEN ${KEEPS_RAW} THEN o.raw ELSE EXCLUDED.raw END,
  raw_body = CASE WHEN ${KEEPS_RAW} THEN o.raw_body ELSE EXCLUDED.raw_body END,
  text_repaired = CASE WHEN ${KEEPS_RAW} THEN o.text_repaired ELSE EXCLUDED.text_repaired END,
  content_hash = EXCLUDED.content_hash,
  revision = o.revision + 1,
  updated_at = now()
WHERE ${REPLACES_STORED}
RETURNING o.id, o.source, o.external_id, o.revision, (o.xmax = 0) AS inserted`;

const suspect = (json: string): boolean => json.includes('\\u0000') || json.includes('\\ud');

function rowHead(o: Order, rawJson: string): string {
  return JSON.stringify({
    source: o.source,
    external_id: o.externalId,
    channel: o.channel,
    shop: o.shop ?? null,
    status: o.status,
    stage: o.stage ?? null,
    created_at: o.createdAt,
    updated_at: o.updatedAt ?? null,
    total: o.total,
    paid: o.paid ?? null,
    currency: o.currency,
    buyer_phone: o.buyer.phone ?? null,
    hash: contentHash(rawJson),
    data: o,
  });
}

export function contentHash(rawJson: string): string {
  return hash('sha256', rawJson, 'base64url');
}

/** Upsert a batch in one statement (keys must be unique within the batch). */
export async function upsertOrders(db: Queryable, batch: IncomingOrder[]): Promise<WriteResult[]> {
  if (batch.length === 0) return [];
  // One JSON document for the whole batch, built by hand so each raw order is serialised once
  // (it is both hashed and stored).
  const parts: string[] = [];
  for (const incoming of batch) {
    let rawJson = JSON.stringify(incoming.raw);
    let head = rowHead(incoming.order, rawJson);
    // JSON.stringify writes NUL and lone surrogates as \u escapes (a pair is written as itself), so
    // a clean order costs two substring searches; only a suspect one is walked and repaired.
    if (suspect(rawJson) || suspect(head) || incoming.repaired) {
      const raw = makeStorable(incoming.raw);
      const order = makeStorable(incoming.order);
      const repaired = [...(incoming.repaired ?? []), ...(raw.repaired.length > 0 ? raw.repaired : order.repaired.map((p) => `data.${p}`))];
      rawJson = JSON.stringify(raw.value);
      head = rowHead(order.value, rawJson);
      if (repaired.length > 0) {
        const extra = { text_repaired: repaired, raw_body: incoming.body ? Buffer.from(incoming.body.buffer, incoming.body.byteOffset, incoming.body.byteLength).toString('base64') : null };
        head = `${head.slice(0, -1)},${JSON.stringify(extra).slice(1)}`;
      }
    }
    parts.push(`${head.slice(0, -1)},"raw":${rawJson}}`);
  }
  // Named: Postgres parses and plans the (large) statement once per connection, not per flush.
  const res = await db.query<{ id: number; source: string; external_id: string; revision: number; inserted: boolean }>({
    name: 'orderops.orders.upsert',
    text: UPSERT_SQL,
    values: [`[${parts.join(',')}]`],
  });
  const written = new Map(res.rows.map((r) => [`${r.source}\u0000${r.external_id}`, r]));
  return batch.map((b) => {
    const w = written.get(orderKey(b));
    const base = { source: b.order.source, externalId: b.order.externalId };
    if (!w) return { ...base, outcome: 'unchanged' as const };
    return { ...base, outcome: w.inserted ? ('created' as const) : ('updated' as const), id: w.id, revision: w.revision };
  });
}
