import { createReadStream } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { OrderImporter, type ChunkSink, type OrderImportOptions, type OrderImportSummary } from '../actions/import-orders';
import type { OrderParser } from '../domain/platforms/ports';
import { parseGenericOrder } from '../integrations/platforms/generic/generic-order';

/** Lines of an order file are generic orders (PRODUCT.md), stored under source `generic`. */
export const parseGeneric: OrderParser = (raw) => parseGenericOrder(raw, 'generic');

/** One line of a webhook request at most: the generic format's own limit (http/webhooks.ts WEBHOOK_BODY_LIMIT). */
export const MAX_LINE_BYTES = 1024 * 1024;
const YIELD_EVERY_LINES = 50;
const PROGRESS_EVERY_LINES = 1000;

export interface ReadProgress {
  bytes: number;
  lines: number;
  bad: number;
}

/**
 * Read a JSON-lines file of generic orders into `sink`, chunk by chunk (see OrderImporter); calls
 * `progress` every few dozen lines. Runs in the CLI's process or in its parsing worker.
 */
export async function readOrdersFile(file: string, sink: ChunkSink, opts: OrderImportOptions, progress: (p: ReadProgress) => void): Promise<OrderImportSummary> {
  const importer = new OrderImporter(sink, opts);
  await forEachLine(file, MAX_LINE_BYTES, async (lineNo, text, bytes) => {
    if (text === null) {
      importer.summary.lines++;
      importer.reject(lineNo, '(line)', `longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB, the limit for one webhook request`);
    } else if (text.trim() !== '') await importer.add(lineNo, text);
    if (lineNo % PROGRESS_EVERY_LINES === 0) progress({ bytes, lines: importer.summary.lines, bad: importer.summary.badLines });
    // In this thread, let the previous chunk's COPY data flow to Postgres while this one is parsed.
    if (lineNo % YIELD_EVERY_LINES === 0) await nextTurn();
  });
  return importer.finish();
}

/**
 * Call `onLine` for each line of `file` (1-based numbers, CRLF and a leading BOM removed); a line
 * longer than `maxBytes` is passed as null and never held in memory whole. `bytes`: read so far.
 */
export async function forEachLine(file: string, maxBytes: number, onLine: (lineNo: number, text: string | null, bytes: number) => Promise<void>): Promise<void> {
  let carry: Buffer[] = [];
  let carried = 0;
  let oversized = false;
  let lineNo = 0;
  let bytes = 0;
  const emit = async (last: Buffer) => {
    lineNo++;
    if (oversized || carried + last.length > maxBytes) return onLine(lineNo, null, bytes);
    let text = (carry.length > 0 ? Buffer.concat([...carry, last]) : last).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (lineNo === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    return onLine(lineNo, text, bytes);
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      await emit(chunk.subarray(start, nl));
      carry = [];
      carried = 0;
      oversized = false;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (!oversized && rest.length > 0) {
      carry.push(rest);
      carried += rest.length;
      if (carried > maxBytes) {
        oversized = true;
        carry = [];
        carried = 0;
      }
    }
  }
  if (oversized || carried > 0) await emit(Buffer.alloc(0));
}
