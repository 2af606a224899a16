import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { forwardStage, REPLACES_STORED } from './order-writes';

/**
 * The history import's write path: each chunk of orders is COPYed into a temporary staging table
 * and applied with one set-based statement — an upsert with the webhook's rules (dedupe by
 * (source, external id), an older or identical line changes nothing, stages only move forward), the
 * quiet exceptions of in-flight orders, and their audit rows. ~3× the rows/s of the batched upsert.
 */

/** Staging columns, in COPY order (see stagingLine). */
export const STAGE_COLUMNS = [
  'source', 'external_id', 'channel', 'shop', 'status', 'stage', 'created_at', 'updated_at', 'total', 'paid',
  'currency', 'buyer_phone', 'data', 'raw', 'hash', 'tags', 'priority', 'review_status', 'inline', 'quiet', 'exc',
] as const;

const STAGE_TABLE = `CREATE TEMP TABLE IF NOT EXISTS orderops_import_stage (
  source text, external_id text, channel text, shop text, status text, stage text, created_at timestamptz,
  updated_at timestamptz, total numeric, paid numeric, currency text, buyer_phone text, data jsonb, raw jsonb,
  hash text, tags text[], priority smallint, review_status text, inline boolean, quiet boolean, exc jsonb
) ON COMMIT DELETE ROWS`;

/** Written processed: a clean paid order moves pending → reviewed, as processing does. */
const READY_STAGE = `CASE WHEN s.inline AND s.review_status = 'auto_approved' AND s.status IN ('paid', 'completed')
  AND s.stage = 'pending' THEN 'reviewed' ELSE s.stage END`;
/** An order the import owns (quiet: never shown in chat) is classified again here; any other is live. */
const OWNED_INLINE = 'o.quiet AND EXCLUDED.processed_revision > 0';

const APPLY_SQL = `
WITH w AS (
  INSERT INTO orders AS o (source, external_id, channel, shop, status, stage, platform_created_at, platform_updated_at,
    total, paid, currency, buyer_phone, data, raw, content_hash, tags, priority, review_status, processed_revision,
    imported_revision, quiet, received_at)
  SELECT s.source, s.external_id, s.channel, s.shop, s.status, ${READY_STAGE}, s.created_at, s.updated_at,
    s.total, s.paid, s.currency, s.buyer_phone, s.data, s.raw, s.hash,
    -- Left to processing (--cards): as a webhook writes it, unclassified.
    CASE WHEN s.inline THEN s.tags ELSE ARRAY[]::text[] END, CASE WHEN s.inline THEN s.priority ELSE 0 END,
    CASE WHEN s.inline THEN s.review_status ELSE 'pending' END, CASE WHEN s.inline THEN 1 ELSE 0 END, 1, s.quiet,
    -- History arrives now but happened then: silence detection and "orders per hour" must not see
    -- a shop's past as a burst of new orders.
    least(s.created_at, now())
  FROM orderops_import_stage s
  ON CONFLICT (source, external_id) DO UPDATE SET
    channel = EXCLUDED.channel,
    shop = coalesce(EXCLUDED.shop, o.shop),
    status = EXCLUDED.status,
    ${forwardStage('EXCLUDED.stage')},
    platform_created_at = EXCLUDED.platform_created_at,
    platform_updated_at = EXCLUDED.platform_updated_at,
    total = EXCLUDED.total,
    paid = EXCLUDED.paid,
    currency = EXCLUDED.currency,
    buyer_phone = EXCLUDED.buyer_phone,
    data = EXCLUDED.data,
    raw = EXCLUDED.raw,
    content_hash = EXCLUDED.content_hash,
    revision = o.revision + 1,
    updated_at = now(),
    imported_revision = o.revision + 1,
    tags = CASE WHEN ${OWNED_INLINE} THEN EXCLUDED.tags ELSE o.tags END,
    priority = CASE WHEN ${OWNED_INLINE} THEN EXCLUDED.priority ELSE o.priority END,
    review_status = CASE WHEN o.review_status = 'approved' THEN 'approved'
      WHEN ${OWNED_INLINE} THEN EXCLUDED.review_status ELSE o.review_status END,
    processed_revision = CASE WHEN ${OWNED_INLINE} THEN o.revision + 1 ELSE o.processed_revision END,
    quiet = o.quiet AND EXCLUDED.quiet
  WHERE ${REPLACES_STORED}
  RETURNING o.id, o.source, o.external_id, (o.xmax = 0) AS inserted, o.processed_revision = o.revision AS inline
),
mine AS (
  SELECT w.id, w.inserted, s.status, s.exc FROM w
  JOIN orderops_import_stage s ON s.source = w.source AND s.external_id = w.external_id
  WHERE w.inline
),
opened AS (
  INSERT INTO exceptions AS x (order_id, type, rule, reason, reason_refs, team, severity, claim_due_at, resolve_due_at, quiet)
  SELECT m.id, e.type, e.rule, e.reason, e.reason_refs, e.team, e.severity,
    now() + make_interval(secs => e.claim_minutes * 60), now() + make_interval(secs => e.resolve_minutes * 60), true
  FROM mine m CROSS JOIN LATERAL jsonb_to_recordset(m.exc) AS e(type text, rule text, reason text, reason_refs jsonb, team text,
    severity text, claim_minutes float8, resolve_minutes float8)
  WHERE m.exc IS NOT NULL
  ON CONFLICT (order_id, type) DO NOTHING
  RETURNING x.id, x.type, x.team, x.rule, x.reason_refs
),
-- A re-imported order whose condition went away (now paid, completed, shipped …): as processing does.
closed AS (
  UPDATE exceptions x SET status = 'resolved', resolved_at = now(), version = x.version + 1, updated_at = now(),
    resolution = CASE WHEN orderops_status_rank(m.status) = 5 THEN 'order ' || m.status ELSE 'condition cleared by an order update' END
  FROM mine m
  WHERE x.order_id = m.id AND NOT m.inserted AND x.status <> 'resolved'
    AND NOT coalesce(m.exc, '[]'::jsonb) @> jsonb_build_array(jsonb_build_object('type', x.type))
  RETURNING x.id, x.version, x.resolution
),
audit AS (
  INSERT INTO audit_log (actor, source, entity, entity_id, action, after, details)
  SELECT 'system', 'import', 'exception', id, 'exception.opened',
    jsonb_build_object('status', 'open', 'type', type, 'team', team, 'quiet', true), jsonb_build_object('rule', rule, 'reasons', reason_refs)
  FROM opened
  UNION ALL
  SELECT 'system', 'import', 'exception', id, 'exception.auto_resolved',
    jsonb_build_object('status', 'resolved', 'version', version), jsonb_build_object('resolution', resolution)
  FROM closed
)
SELECT (SELECT count(*) FROM w WHERE inserted)::int AS created,
  (SELECT count(*) FROM w WHERE NOT inserted)::int AS updated,
  (SELECT count(*) FROM w WHERE NOT inline)::int AS to_process,
  (SELECT count(*) FROM opened)::int AS exceptions_opened,
  (SELECT count(*) FROM closed)::int AS exceptions_resolved`;

export interface ChunkResult {
  created: number;
  updated: number;
  /** Written unprocessed: the bot's sweeper processes them (live orders, in-flight ones with --cards). */
  toProcess: number;
  exceptionsOpened: number;
  exceptionsResolved: number;
}

/** One connection that applies chunks in order (a later chunk may update an order of an earlier one). */
export class ImportWriter {
  private ready = false;

  constructor(private readonly client: pg.ClientBase) {}

  /** Apply one chunk: COPY text of STAGE_COLUMNS rows, each (source, external id) at most once. */
  async apply(copyText: Buffer): Promise<ChunkResult> {
    const c = this.client;
    if (!this.ready) {
      await c.query(STAGE_TABLE);
      this.ready = true;
    }
    await c.query('BEGIN');
    try {
      // The history trigger records who changed the orders: via 'import', actor the order's source.
      // JIT would compile the big statement anew for every chunk (~5 µs a row); the history
      // trigger's transition table stays in memory with a larger work_mem. A chunk's commit need
      // not wait for its WAL flush: a crash loses at most the last chunks, and running the import
      // again (idempotent) restores them.
      await c.query(`SELECT set_config('orderops.via', 'import', true), set_config('jit', 'off', true),
        set_config('work_mem', '64MB', true), set_config('synchronous_commit', 'off', true)`);
      const copy = c.query(copyFrom(`COPY orderops_import_stage (${STAGE_COLUMNS.join(', ')}) FROM STDIN`));
      copy.end(copyText);
      await finished(copy);
      const { rows } = await c.query<{ created: number; updated: number; to_process: number; exceptions_opened: number; exceptions_resolved: number }>({
        name: 'orderops.orders.import',
        text: APPLY_SQL,
      });
      await c.query('COMMIT');
      const r = rows[0]!;
      return { created: r.created, updated: r.updated, toProcess: r.to_process, exceptionsOpened: r.exceptions_opened, exceptionsResolved: r.exceptions_resolved };
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES = /[\\\t\n\r]/g;
const COPY_ESCAPE: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A JSON text in COPY text format: JSON never holds a raw tab or line break, so only backslashes double. */
export function copyJson(json: string): string {
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

/** One value in COPY text format (\N for NULL). */
export function copyValue(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  const s = String(v);
  return COPY_SPECIAL.test(s) ? s.replace(COPY_ESCAPES, (ch) => COPY_ESCAPE[ch]!) : s;
}

/** A text[] literal: each element quoted, so commas, braces and quotes survive. */
export function textArray(items: string[]): string {
  return `{${items.map((t) => `"${t.replace(/["\\]/g, (ch) => `\\${ch}`)}"`).join(',')}}`;
}
