import { createReadStream, statSync } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type pg from 'pg';
import { readConfig, type AppConfig } from '../config';
import { createPool } from '../db/pool';
import { systemClock, type Clock } from '../domain/ports';
import { CsvEncodingError, csvHeader, csvRow, readCsvRecords } from '../actions/inventory/csv-read';
import { SKU_FIELDS } from '../domain/inventory/sku-row';
import { SkuImporter, type ImportSummary } from '../actions/inventory/import-skus';
import { IMPORT_ORDERS_HELP, importOrdersCommand } from './import-orders';
import type { ImportIo } from './import-io';

export type { ImportIo } from './import-io';

export const IMPORT_HELP = `orderops import skus <file.csv|file.jsonl> [--strict] [--encoding gbk]

Load the master record (one row per SKU) from a CSV file with a header row, or JSON lines (one object
per line). A CSV may be in any encoding: UTF-8, GBK/GB18030 (Excel exports of Chinese ERPs), Big5,
UTF-16 with a byte-order mark … — it is detected from the first bytes unless --encoding names it. Columns / fields: ${SKU_FIELDS.join(', ')} — sku and stock are required.
  stock                units on hand (what the warehouse counts); reservations are kept apart
  price                taken for new SKUs; an existing price changes only through an approved
                       price change (POST /api/price-changes), so a differing price is reported
  owner                a staff id from orderops.yml (mentioned on low-stock and consistency cards)
  low_stock_threshold  empty: the configured default (inventory.low_stock_threshold)
Rows are upserted in batches; bad rows are listed with their line numbers and skipped.
  --strict   change nothing unless every row is valid (one transaction)
Exit code 0 when every row was taken, 1 when some were not, 2 for a usage error.`;


const MAX_LISTED_ERRORS = 50;

/** Stream a file into the master record; returns the summary (rows with their line numbers when bad). */
export async function importSkusFile(
  deps: { pool: pg.Pool; clock: Clock; config: AppConfig },
  file: string,
  opts: { strict: boolean; encoding?: string },
  io: ImportIo,
): Promise<ImportSummary & { committed: boolean }> {
  const format = extname(file).toLowerCase();
  if (!['.csv', '.jsonl', '.ndjson'].includes(format)) throw new UsageError(`cannot tell the format of "${file}": name it .csv or .jsonl`);
  const size = statSync(file).size;
  const inv = deps.config.settings.inventory;
  // Cards of restocked SKUs are caught up by the bot's inventory sweep (the CLI needs no Redis).
  const importer = new SkuImporter({ pool: deps.pool, clock: deps.clock, inventory: inv, cardChanged: async () => undefined }, { strict: opts.strict, via: 'cli', actor: 'cli' });
  const stream = createReadStream(file);
  let bytes = 0;
  stream.on('data', (chunk) => {
    bytes += chunk.length;
  });
  const bar = io.progress && size > 256 * 1024
    ? new cliProgress.SingleBar({ format: 'importing [{bar}] {percentage}% | {rows} rows | {errors} bad', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined;
  bar?.start(size, 0, { rows: 0, errors: 0 });
  let header: string[] | null = null;
  let rows = 0;
  let bad = 0;
  let lineNo = 0;
  const take = async (line: number, obj: unknown) => {
    rows++;
    if ((await importer.add(line, obj)).length > 0) bad++;
  };
  const reject = (line: number, message: string) => {
    importer.reject(line, message);
    bad++;
  };
  try {
    if (format === '.csv') {
      // Any encoding: detected from the first bytes (GBK/GB18030 Excel exports included) unless --encoding says.
      for await (const rec of readCsvRecords(stream, { encoding: opts.encoding, onEncoding: (e) => e !== 'utf-8' && io.out(`${file}: read as ${e.toUpperCase()}`) })) {
        lineNo = rec.line;
        if ('error' in rec) {
          if (!header) throw new UsageError(`line ${rec.line}: the header row is not valid CSV: ${rec.error}`);
          reject(rec.line, rec.error);
        } else if (!header) {
          const h = csvHeader(rec.cells, SKU_FIELDS, ['sku', 'stock']);
          if (!h.ok) throw new UsageError(`line ${rec.line}: ${h.message}`);
          header = h.header;
        } else {
          const r = csvRow(header, rec.cells);
          if (r.ok) await take(rec.line, r.row);
          else reject(rec.line, r.message);
        }
        if (bar && lineNo % 500 === 0) bar.update(bytes, { rows, errors: bad });
      }
      if (!header) throw new UsageError('the file is empty: it needs a header row and at least one SKU');
    } else {
      for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
        lineNo++;
        if (line.trim() === '') continue;
        let obj: unknown;
        try {
          obj = JSON.parse(lineNo === 1 ? line.replace(/^\uFEFF/, '') : line);
        } catch (e) {
          reject(lineNo, `not valid JSON: ${(e as Error).message}`);
          continue;
        }
        await take(lineNo, obj);
        if (bar && lineNo % 500 === 0) bar.update(bytes, { rows, errors: bad });
      }
    }
  } catch (e) {
    bar?.stop();
    await importer.abort();
    throw e;
  }
  const summary = await importer.finish();
  bar?.update(size, { rows, errors: bad });
  bar?.stop();
  return summary;
}

export class UsageError extends Error {}

export function formatImportSummary(s: ImportSummary & { committed: boolean }, strict: boolean): string[] {
  const lines: string[] = [];
  const badRows = new Set(s.errors.map((e) => e.line)).size;
  for (const e of s.errors.slice(0, MAX_LISTED_ERRORS)) lines.push(`line ${e.line}${e.sku ? ` (${e.sku})` : ''}: ${e.field}: ${e.message}`);
  if (s.errors.length > MAX_LISTED_ERRORS) lines.push(`… and ${s.errors.length - MAX_LISTED_ERRORS} more problems`);
  if (strict && !s.committed) lines.push(`nothing imported: ${badRows} bad row(s) (--strict). Fix them and run again.`);
  else {
    lines.push(`imported ${s.rows} row(s): ${s.inserted} new, ${s.updated} updated, ${s.unchanged} unchanged${badRows ? `; ${badRows} bad row(s) skipped` : ''}`);
  }
  if (s.priceKept.length > 0) {
    lines.push(`${s.priceKept.length} existing price(s) kept (change them with an approved price change, POST /api/price-changes):`);
    for (const p of s.priceKept.slice(0, 10)) lines.push(`  ${p.sku}: master ${p.master}, file ${p.given}`);
  }
  if (s.oversold.length > 0) {
    lines.push(`${s.oversold.length} SKU(s) now have fewer units on hand than their orders reserved:`);
    for (const o of s.oversold.slice(0, 10)) lines.push(`  ${o.sku}: ${o.stock} on hand, ${o.reserved} reserved`);
  }
  if (s.belowThreshold > 0) lines.push(`${s.belowThreshold} SKU(s) are under their low-stock threshold`);
  return lines;
}

/** `orderops import skus <file>` and `orderops import orders <file>` (see import-orders.ts). */
export async function importCommand(argv: string[], env: NodeJS.ProcessEnv = process.env, io?: Partial<ImportIo>): Promise<number> {
  if (argv[0] === 'orders') return importOrdersCommand(argv.slice(1), env, io ?? {});
  const out = io?.out ?? ((l: string) => console.log(l));
  const err = io?.err ?? ((l: string) => console.error(l));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { strict: { type: 'boolean', default: false }, encoding: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (e) {
    err(`${(e as Error).message}\n\n${IMPORT_HELP}`);
    return 2;
  }
  const [what, file] = parsed.positionals;
  if (parsed.values.help) {
    out(what === 'skus' ? IMPORT_HELP : `${IMPORT_HELP}\n\n${IMPORT_ORDERS_HELP}`);
    return 0;
  }
  if (what !== 'skus' || !file) {
    err(what === 'skus' ? IMPORT_HELP : `${IMPORT_HELP}\n\n${IMPORT_ORDERS_HELP}`);
    return 2;
  }
  const config = readConfig(env);
  const pool = createPool(config.databaseUrl, 4);
  try {
    const summary = await importSkusFile({ pool, clock: systemClock, config }, file, { strict: parsed.values.strict ?? false, encoding: parsed.values.encoding }, {
      out, err, progress: io?.progress ?? (process.stderr.isTTY === true),
    });
    const lines = formatImportSummary(summary, parsed.values.strict ?? false);
    (summary.errors.length > 0 ? err : out)(lines.join('\n'));
    return summary.errors.length > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof CsvEncodingError || (e as NodeJS.ErrnoException).code === 'ENOENT') {
      err((e as Error).message);
      return 2;
    }
    throw e;
  } finally {
    await pool.end();
  }
}
