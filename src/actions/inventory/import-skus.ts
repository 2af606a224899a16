import type pg from 'pg';
import { markStockDirty } from '../../db/shop-pushes';
import type { Clock } from '../../domain/ports';
import type { InventorySettings } from '../../domain/inventory/types';
import { validateSkuRow, type FieldError, type SkuInput } from '../../domain/inventory/sku-row';
import { countBelowThreshold, upsertSkus, type UpsertResult } from '../../db/inventory-skus';
import { syncLowStock, type CardKeyRef } from '../../db/inventory-alerts';
import { withTransaction } from '../../db/pool';

export interface ImportDeps {
  pool: pg.Pool;
  clock: Clock;
  inventory: Pick<InventorySettings, 'team' | 'lowStockThreshold'>;
  /** Re-render a card after commit (restocked SKUs close their low-stock cards). */
  cardChanged(key: string, version: number): Promise<void>;
}

/** A bad row: its line in the file (CSV/JSONL) or its index in the posted array, and each problem. */
export interface RowError extends FieldError {
  line?: number;
  index?: number;
  sku?: string;
}

export interface ImportSummary {
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  priceKept: UpsertResult['priceKept'];
  oversold: UpsertResult['oversold'];
  /** SKUs of this import now under their low-stock threshold (no card is opened by an import). */
  belowThreshold: number;
  errors: RowError[];
}

export const MAX_PUT_ROWS = 10_000;
const BATCH = 1000;

const emptySummary = (): ImportSummary => ({ rows: 0, inserted: 0, updated: 0, unchanged: 0, priceKept: [], oversold: [], belowThreshold: 0, errors: [] });

async function writeBatch(tx: pg.PoolClient, deps: ImportDeps, rows: SkuInput[], via: string, into: ImportSummary, cards: CardKeyRef[]): Promise<void> {
  const now = deps.clock.now();
  const r = await upsertSkus(tx, rows, now);
  into.rows += rows.length;
  into.inserted += r.inserted;
  into.updated += r.updated;
  into.unchanged += r.unchanged;
  into.priceKept.push(...r.priceKept);
  into.oversold.push(...r.oversold);
  // Restocked (or newly counted) SKUs: their shops' sellable figures go out at the next push tick.
  await markStockDirty(tx, r.readings.map((x) => x.sku), now);
  into.belowThreshold += await countBelowThreshold(tx, rows.map((x) => x.sku), deps.inventory.lowStockThreshold);
  // A restock closes open low-stock cards; an import never opens new ones (a catalogue load would
  // flood the channel) — demand does, at order processing.
  cards.push(...(await syncLowStock(tx, r.readings, {
    team: deps.inventory.team, defaultThreshold: deps.inventory.lowStockThreshold, now, mayOpen: false, actor: 'system', via,
  })));
}

async function auditImport(tx: pg.PoolClient, via: string, actor: string, s: ImportSummary): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log (actor, source, entity, entity_id, action, details) VALUES ($1, $2, 'sku_import', txid_current(), 'skus.imported', $3)`,
    [actor, via, JSON.stringify({ rows: s.rows, inserted: s.inserted, updated: s.updated, unchanged: s.unchanged, price_kept: s.priceKept.length, errors: s.errors.length })],
  );
}

/**
 * `PUT /api/skus`: validate every row first; any bad row → nothing changes and every problem is
 * returned with its index. Otherwise all rows are written in one transaction.
 */
export async function putSkus(deps: ImportDeps, body: unknown, via = 'api'): Promise<{ ok: true; summary: ImportSummary } | { ok: false; message: string; errors: RowError[] }> {
  const list = Array.isArray(body) ? body : typeof body === 'object' && body !== null && Array.isArray((body as { skus?: unknown }).skus) ? (body as { skus: unknown[] }).skus : null;
  if (!list) return { ok: false, message: 'send a JSON array of SKU rows, or {"skus": [...]}', errors: [] };
  if (list.length === 0) return { ok: false, message: 'no rows: send at least one SKU', errors: [] };
  if (list.length > MAX_PUT_ROWS) return { ok: false, message: `at most ${MAX_PUT_ROWS} rows per request; split the list or use orderops import skus`, errors: [] };
  const errors: RowError[] = [];
  const rows: SkuInput[] = [];
  const seen = new Map<string, number>();
  list.forEach((raw, index) => {
    const v = validateSkuRow(raw);
    if (!v.ok) {
      const sku = typeof (raw as { sku?: unknown })?.sku === 'string' ? (raw as { sku: string }).sku : undefined;
      for (const e of v.errors) errors.push({ index, sku, ...e });
      return;
    }
    const first = seen.get(v.value.sku);
    if (first !== undefined) errors.push({ index, sku: v.value.sku, field: 'sku', message: `duplicate of row ${first}: send each SKU once` });
    else seen.set(v.value.sku, index);
    rows.push(v.value);
  });
  if (errors.length > 0) return { ok: false, message: `${new Set(errors.map((e) => e.index)).size} of ${list.length} rows are invalid; nothing was changed`, errors };
  const summary = emptySummary();
  const cards: CardKeyRef[] = [];
  await withTransaction(deps.pool, async (tx) => {
    for (let i = 0; i < rows.length; i += BATCH) await writeBatch(tx, deps, rows.slice(i, i + BATCH), via, summary, cards);
    await auditImport(tx, via, 'api', summary);
  }, { actor: 'api', via });
  for (const c of cards) await deps.cardChanged(c.key, c.version);
  return { ok: true, summary };
}

/**
 * A streaming import (the CLI): rows arrive one by one with their line number and are written in
 * batches. `strict`: one transaction, rolled back if any row is bad (nothing changes). Otherwise
 * each batch commits and bad rows are only reported. A SKU repeated in the file: the last one wins.
 */
export class SkuImporter {
  private readonly summary = emptySummary();
  private batch: SkuInput[] = [];
  private batchSkus = new Set<string>();
  private client: pg.PoolClient | undefined;
  private readonly cards: CardKeyRef[] = [];

  constructor(private readonly deps: ImportDeps, private readonly opts: { strict: boolean; via?: string; actor?: string }) {}

  /** Validate and queue one row; returns its problems (also kept for the summary). */
  async add(line: number, raw: unknown): Promise<RowError[]> {
    const v = validateSkuRow(raw);
    if (!v.ok) {
      const sku = typeof (raw as { sku?: unknown })?.sku === 'string' ? (raw as { sku: string }).sku : undefined;
      const errs = v.errors.map((e) => ({ line, sku, ...e }));
      this.summary.errors.push(...errs);
      return errs;
    }
    if (this.batchSkus.has(v.value.sku) || this.batch.length >= BATCH) await this.flush();
    this.batch.push(v.value);
    this.batchSkus.add(v.value.sku);
    return [];
  }

  /** Record a row that could not even be parsed (bad CSV quoting, bad JSON). */
  reject(line: number, message: string): void {
    this.summary.errors.push({ line, field: '(row)', message });
  }

  private async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const rows = this.batch;
    this.batch = [];
    this.batchSkus = new Set();
    const via = this.opts.via ?? 'cli';
    if (this.opts.strict) {
      if (!this.client) {
        this.client = await this.deps.pool.connect();
        await this.client.query('BEGIN');
      }
      // Once a row is bad nothing will be kept: stop writing, keep validating.
      if (this.summary.errors.length === 0) await writeBatch(this.client, this.deps, rows, via, this.summary, this.cards);
      else this.summary.rows += rows.length;
    } else {
      await withTransaction(this.deps.pool, (tx) => writeBatch(tx, this.deps, rows, via, this.summary, this.cards), { actor: this.opts.actor ?? 'cli', via });
    }
  }

  /** Write what is left; in strict mode commit only when no row was bad. Returns the summary. */
  async finish(): Promise<ImportSummary & { committed: boolean }> {
    let committed = true;
    try {
      await this.flush();
      if (this.opts.strict && this.client) {
        if (this.summary.errors.length > 0) {
          await this.client.query('ROLLBACK');
          committed = false;
          this.cards.length = 0;
        } else {
          await auditImport(this.client, this.opts.via ?? 'cli', this.opts.actor ?? 'cli', this.summary);
          await this.client.query('COMMIT');
        }
      } else if (!this.opts.strict && this.summary.rows > 0) {
        await withTransaction(this.deps.pool, (tx) => auditImport(tx, this.opts.via ?? 'cli', this.opts.actor ?? 'cli', this.summary));
      }
      if (this.opts.strict && !this.client && this.summary.errors.length > 0) committed = false;
    } catch (e) {
      await this.client?.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      this.client?.release();
      this.client = undefined;
    }
    for (const c of this.cards) await this.deps.cardChanged(c.key, c.version).catch(() => undefined);
    if (!committed) return { ...this.summary, inserted: 0, updated: 0, unchanged: 0, committed };
    return { ...this.summary, committed };
  }

  /** Abandon (an interrupted import): strict mode rolls back, batch mode keeps what was committed. */
  async abort(): Promise<void> {
    await this.client?.query('ROLLBACK').catch(() => undefined);
    this.client?.release();
    this.client = undefined;
  }
}
