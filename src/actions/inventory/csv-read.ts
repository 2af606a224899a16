import { Readable } from 'node:stream';
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { parse, type CsvError, type InfoRecord, type Options } from 'csv-parse';

/** A CSV record and the line it starts on, or a record that could not be read and why. */
export type CsvRecord = { line: number; cells: string[] } | { line: number; error: string };

/** Bytes looked at to tell the encoding (Excel exports put Chinese in the first rows). */
const SAMPLE_BYTES = 64 * 1024;
/** chardet's multi-byte detectors recognise their encoding specifically; single-byte ones accept any bytes. */
const MULTI_BYTE = new Set(['GB18030', 'Big5', 'Shift_JIS', 'EUC-JP', 'EUC-KR', 'UTF-16LE', 'UTF-16BE', 'UTF-32LE', 'UTF-32BE']);

/**
 * The encoding of a CSV file from its first bytes: a byte-order mark, else UTF-8 when the bytes are
 * valid UTF-8, else what chardet finds. Excel exports of Chinese ERPs are usually GBK/GB18030, which
 * chardet can mistake for a Latin code page on a short file (those accept any bytes), so bytes that
 * read cleanly as GB18030 and hold Chinese are taken as GB18030 unless chardet names another
 * multi-byte encoding.
 * @example detectCsvEncoding(iconv.encode('sku,name\nA,台灯\n', 'gbk')) // 'gb18030'
 */
export function detectCsvEncoding(sample: Buffer): string {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be';
  try {
    // stream: true tolerates a character cut in two at the end of the sample.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return 'utf-8';
  } catch {
    // not UTF-8: ask chardet
  }
  const top = chardet.analyse(sample).find((m) => iconv.encodingExists(m.name));
  if (top && MULTI_BYTE.has(top.name)) return top.name.toLowerCase();
  // A character cut in two at the end of the sample decodes as one replacement character.
  const asGb = iconv.decode(sample, 'gb18030').replace(/\uFFFD$/, '');
  if (!asGb.includes('\uFFFD') && /\p{Script=Han}/u.test(asGb)) return 'gb18030';
  return top?.name.toLowerCase() ?? 'utf-8';
}

/**
 * CSV records (RFC 4180, via csv-parse) from a file's bytes in any encoding iconv-lite knows:
 * `encoding` when the caller was told one (a charset, --encoding), else detected from the first
 * bytes. Line endings may be CRLF; a quoted field may span lines; each record carries the line it
 * starts on. A record that cannot be read is yielded as an error and reading goes on.
 */
export async function* readCsvRecords(chunks: AsyncIterable<Buffer>, opts: { encoding?: string; onEncoding?(encoding: string): void } = {}): AsyncGenerator<CsvRecord> {
  if (opts.encoding !== undefined && !iconv.encodingExists(opts.encoding)) throw new CsvEncodingError(opts.encoding);
  // Records and errors queue up in the order the parser meets them (its callbacks run in file
  // order); reading the stream only drives the parser and lets the queue out.
  const queue: CsvRecord[] = [];
  let lastEnd = 0;
  const options: Options = {
    relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true, trim: true, raw: true,
    // With `raw` a record arrives as { record, raw } (the typings do not say so); the raw text may
    // begin with the blank lines skipped before it.
    on_record: (rec: string[], info: InfoRecord) => {
      const r = rec as unknown as { record: string[]; raw: string };
      const inside = (r.raw.replace(/^\n+/, '').replace(/\n$/, '').match(/\n/g) ?? []).length;
      queue.push({ line: info.lines - inside, cells: r.record });
      lastEnd = info.lines;
      return rec;
    },
    on_skip: (err: CsvError | undefined) => {
      if (err) queue.push({ line: lastEnd + 1, error: CSV_ERRORS[err.code] ?? err.message });
      return undefined;
    },
  };
  const parser = Readable.from(decodeText(chunks, opts)).pipe(parse(options));
  for await (const _ of parser) yield* queue.splice(0);
  yield* queue.splice(0);
}

export class CsvEncodingError extends Error {
  constructor(readonly encoding: string) {
    super(`unknown encoding "${encoding}": use e.g. utf-8, gbk, gb18030, big5 or utf-16le`);
  }
}

const CSV_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed (missing ")',
  CSV_INVALID_CLOSING_QUOTE: 'unexpected text after a closing quote: quote the whole field and double any quote inside it',
};

/** Bytes → text in the file's encoding, with CRLF (and lone CR) line ends made LF so line numbers hold. */
async function* decodeText(chunks: AsyncIterable<Buffer>, opts: { encoding?: string; onEncoding?(encoding: string): void }): AsyncGenerator<string> {
  let head: Buffer[] = [];
  let headBytes = 0;
  let decoder: ReturnType<typeof iconv.getDecoder> | undefined;
  let carryCr = false;
  const lf = (text: string): string => {
    let s = (carryCr ? '\r' : '') + text;
    carryCr = s.endsWith('\r');
    if (carryCr) s = s.slice(0, -1);
    return s.replace(/\r\n?/g, '\n');
  };
  const start = (): string => {
    const sample = Buffer.concat(head);
    const encoding = opts.encoding ?? detectCsvEncoding(sample);
    opts.onEncoding?.(encoding);
    decoder = iconv.getDecoder(encoding);
    head = [];
    return lf(decoder.write(sample));
  };
  for await (const chunk of chunks) {
    if (decoder) {
      yield lf(decoder.write(chunk));
      continue;
    }
    head.push(chunk);
    headBytes += chunk.length;
    if (headBytes >= SAMPLE_BYTES) yield start();
  }
  if (!decoder) yield start();
  const tail = (decoder!.end() ?? '') + (carryCr ? '\r' : '');
  carryCr = false;
  if (tail) yield tail.replace(/\r\n?/g, '\n');
}

/** A master-record CSV's header row: lower-cased column names among `fields`, or why it is not one. */
export function csvHeader(cells: string[], fields: readonly string[], required: readonly string[]): { ok: true; header: string[] } | { ok: false; message: string } {
  const header = cells.map((h) => h.trim().toLowerCase());
  const unknown = header.filter((h) => !fields.includes(h));
  if (unknown.length > 0 || required.some((r) => !header.includes(r))) {
    return { ok: false, message: `the header must name columns among ${fields.join(', ')} (${required.join(' and ')} required)${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}` };
  }
  return { ok: true, header };
}

/** A data row as an object by the header's names (empty cells left out), or why it does not fit. */
export function csvRow(header: string[], cells: string[]): { ok: true; row: Record<string, string> } | { ok: false; message: string } {
  if (cells.length !== header.length) return { ok: false, message: `has ${cells.length} cells, the header has ${header.length}` };
  const row: Record<string, string> = {};
  header.forEach((h, i) => {
    if (cells[i] !== '') row[h] = cells[i]!;
  });
  return { ok: true, row };
}

/**
 * A whole CSV body (a request's) as rows by its header, each with its line number; or the header's
 * problem, or every row that does not fit.
 */
export async function readCsvRows(
  bytes: Buffer, fields: readonly string[], required: readonly string[], encoding?: string,
): Promise<{ ok: true; rows: { line: number; row: Record<string, string> }[] } | { ok: false; message: string; errors: { line: number; field: string; message: string }[] }> {
  const rows: { line: number; row: Record<string, string> }[] = [];
  const errors: { line: number; field: string; message: string }[] = [];
  let header: string[] | null = null;
  for await (const rec of readCsvRecords((async function* () { yield bytes; })(), { encoding })) {
    if ('error' in rec) {
      if (!header) return { ok: false, message: `line ${rec.line}: the header row is not valid CSV: ${rec.error}`, errors: [] };
      errors.push({ line: rec.line, field: '(row)', message: rec.error });
    } else if (!header) {
      const h = csvHeader(rec.cells, fields, required);
      if (!h.ok) return { ok: false, message: `line ${rec.line}: ${h.message}`, errors: [] };
      header = h.header;
    } else {
      const r = csvRow(header, rec.cells);
      if (r.ok) rows.push({ line: rec.line, row: r.row });
      else errors.push({ line: rec.line, field: '(row)', message: r.message });
    }
  }
  if (!header) return { ok: false, message: 'the body is empty: send a header row and at least one SKU', errors: [] };
  if (errors.length > 0) return { ok: false, message: `${new Set(errors.map((e) => e.line)).size} row(s) are not valid CSV rows; nothing was changed`, errors };
  return { ok: true, rows };
}
