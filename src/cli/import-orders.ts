import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import cliProgress from 'cli-progress';
import type pg from 'pg';
import { readConfig, type AppConfig } from '../config';
import { createPool } from '../db/pool';
import { ImportWriter } from '../db/order-import';
import { systemClock, type Clock } from '../domain/ports';
import type { ChunkSink, OrderImportOptions, OrderImportSummary } from '../actions/import-orders';
import type { ImportIo } from './import-io';
import { parseGeneric, readOrdersFile, type ReadProgress } from './order-lines';
import type { ImportParentMessage, ImportWorkerData, ImportWorkerMessage } from './import-orders-worker';

export const IMPORT_ORDERS_HELP = `orderops import orders <file.jsonl> [--cards] [--chunk 10000]

Load order history: JSON lines, one order per line in the generic webhook format (README, "The
generic order format"), checked exactly as POST /webhooks/orders/generic checks it. Source: generic.
  deduped     by order id, like the webhook: a line identical to or older than the stored order
              (by updated_at, else status rank) changes nothing, a newer one updates it (stages only
              move forward); of repeated ids in the file the newest wins. Running it again changes nothing.
  classified  every order gets its tags, priority and review status from the rules in force; orders
              still in flight (not completed/cancelled/refunded/closed, not yet shipped) also get
              their exceptions, recorded quietly: no chat card, no SLA escalation, no backlog alert,
              and no stock is reserved for any imported order. They show in the read API and lookups.
              An order updated later (webhook, reconciliation) is processed as usual: its open
              exceptions then come to chat with fresh SLA times. An order the bot already knew from a
              webhook is updated like a webhook would, and processed as usual.
  --cards     leave orders in flight unprocessed instead, so the running bot processes them like new
              ones: exceptions with cards and SLA timers (still no stock reserved for them)
  --chunk N   orders per COPY and statement (default 10000)
Bad lines (not JSON, failing validation, over 1 MiB) are listed with their line numbers and skipped.
Exit code 0 when every line was taken, 1 when some were not, 2 for a usage error.`;

const MAX_LISTED_ERRORS = 50;
/**
 * Chunks applied side by side on this many connections: one Postgres backend applying chunks in
 * order left most of a core idle (see BENCHMARKS.md, Backfill).
 */
export const IMPORT_LANES = 2;
/** The compiled worker beside this file; absent when running from TypeScript sources (tests). */
const WORKER = path.join(__dirname, 'import-orders-worker.js');

/**
 * Stream a JSON-lines file into the order store; returns the summary. Parsing runs in a worker
 * thread when the compiled worker exists (`threads` true by default), else in this thread.
 */
export async function importOrdersFile(
  deps: { pool: pg.Pool; clock: Clock; config: AppConfig },
  file: string,
  opts: { cards: boolean; chunkOrders?: number; threads?: boolean; lanes?: number },
  io: ImportIo,
): Promise<OrderImportSummary> {
  const size = statSync(file).size;
  const rules = deps.config.settings.rules;
  // A snapshot of available units, for the stock-out rule; nothing is reserved.
  const stock = rules.stock.enabled
    ? new Map((await deps.pool.query<{ sku: string; n: number }>('SELECT sku, greatest(stock - reserved, 0) AS n FROM skus')).rows.map((r) => [r.sku, r.n]))
    : undefined;
  const lanes = opts.lanes ?? IMPORT_LANES;
  const importOpts: OrderImportOptions = { rules, locale: deps.config.settings.locale, parse: parseGeneric, now: deps.clock.now(), cards: opts.cards, stock, chunkOrders: opts.chunkOrders, lanes };
  const bar = io.progress && size > 256 * 1024
    ? new cliProgress.SingleBar({ format: 'importing [{bar}] {percentage}% | {lines} lines | {bad} bad | {eta_formatted} left', stream: process.stderr, hideCursor: true, etaBuffer: 20 }, cliProgress.Presets.shades_classic)
    : undefined;
  bar?.start(size, 0, { lines: 0, bad: 0 });
  const progress = (p: ReadProgress) => bar?.update(p.bytes, { lines: p.lines, bad: p.bad });
  const clients: pg.PoolClient[] = [];
  try {
    for (let i = 0; i < lanes; i++) clients.push(await deps.pool.connect());
    const writers = clients.map((c) => new ImportWriter(c));
    const sink = { apply: (text: Buffer, lane: number) => writers[lane]!.apply(text) };
    const summary = opts.threads !== false && existsSync(WORKER)
      ? await inWorker(file, sink, importOpts, progress)
      : await readOrdersFile(file, sink, importOpts, progress);
    bar?.update(size, { lines: summary.lines, bad: summary.badLines });
    return summary;
  } finally {
    bar?.stop();
    for (const c of clients) c.release();
  }
}

/** Parse in a worker thread; write each chunk it hands over, in order, and answer with the result. */
function inWorker(file: string, writer: ChunkSink, opts: OrderImportOptions, progress: (p: ReadProgress) => void): Promise<OrderImportSummary> {
  // A function does not cross into a thread: the worker reads the generic format itself.
  const { parse: _parse, ...plain } = opts;
  const data: ImportWorkerData = { file, opts: { ...plain, now: opts.now.toISOString(), stock: opts.stock ? [...opts.stock] : undefined } };
  const worker = new Worker(WORKER, { workerData: data });
  return new Promise<OrderImportSummary>((resolve, reject) => {
    worker.on('message', (m: ImportWorkerMessage) => {
      if (m.kind === 'progress') progress(m);
      else if (m.kind === 'done') resolve(m.summary);
      else if (m.kind === 'failed') reject(new Error(m.message));
      else {
        writer.apply(Buffer.from(m.text.buffer, m.text.byteOffset, m.text.byteLength), m.lane).then(
          (result) => worker.postMessage({ kind: 'applied', id: m.id, result } satisfies ImportParentMessage),
          (e: unknown) => {
            worker.postMessage({ kind: 'apply_failed', id: m.id, message: (e as Error).message } satisfies ImportParentMessage);
            reject(e);
          },
        );
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`the import's parsing worker stopped (exit code ${code})`)));
  }).finally(() => worker.terminate());
}

export function formatOrderImportSummary(s: OrderImportSummary): string[] {
  const lines: string[] = [];
  for (const e of s.errors.slice(0, MAX_LISTED_ERRORS)) lines.push(`line ${e.line}${e.id ? ` (${e.id})` : ''}: ${e.field}: ${e.message}`);
  const more = s.badLines - new Set(s.errors.slice(0, MAX_LISTED_ERRORS).map((e) => e.line)).size;
  if (more > 0) lines.push(`… and ${more} more bad line(s)`);
  lines.push(`imported ${s.valid} order line(s): ${s.created} new, ${s.updated} updated, ${s.unchanged} unchanged (identical, older, or superseded in the file)${s.badLines ? `; ${s.badLines} bad line(s) skipped` : ''}`);
  if (s.exceptionsOpened + s.exceptionsResolved > 0) {
    lines.push(`exceptions of orders in flight, recorded without cards: ${s.exceptionsOpened} opened, ${s.exceptionsResolved} resolved`);
  }
  if (s.toProcess > 0) lines.push(`${s.toProcess} order(s) left for the bot to process (cards and SLA timers as for new orders)`);
  return lines;
}

/** `orderops import orders <file>`: argv after "orders". */
export async function importOrdersCommand(argv: string[], env: NodeJS.ProcessEnv, io: Partial<ImportIo>): Promise<number> {
  const out = io.out ?? ((l: string) => console.log(l));
  const err = io.err ?? ((l: string) => console.error(l));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { cards: { type: 'boolean', default: false }, chunk: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (e) {
    err(`${(e as Error).message}\n\n${IMPORT_ORDERS_HELP}`);
    return 2;
  }
  if (parsed.values.help) {
    out(IMPORT_ORDERS_HELP);
    return 0;
  }
  const [file, ...extra] = parsed.positionals;
  const chunk = parsed.values.chunk === undefined ? undefined : Number(parsed.values.chunk);
  if (chunk !== undefined && !(Number.isInteger(chunk) && chunk >= 1 && chunk <= 100_000)) {
    err(`--chunk must be a whole number from 1 to 100000 (got "${parsed.values.chunk}")`);
    return 2;
  }
  if (!file || extra.length > 0) {
    err(IMPORT_ORDERS_HELP);
    return 2;
  }
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new Error('it is a directory: give the JSON-lines file');
    size = st.size;
  } catch (e) {
    err(`cannot read ${file}: ${(e as Error).message}`);
    return 2;
  }
  const config = readConfig(env);
  const pool = createPool(config.databaseUrl, IMPORT_LANES + 1);
  try {
    const summary = await importOrdersFile({ pool, clock: systemClock, config }, file, { cards: parsed.values.cards ?? false, chunkOrders: chunk }, {
      out, err, progress: io.progress ?? (process.stderr.isTTY === true && size > 0),
    });
    (summary.badLines > 0 ? err : out)(formatOrderImportSummary(summary).join('\n'));
    return summary.badLines > 0 ? 1 : 0;
  } finally {
    await pool.end();
  }
}
