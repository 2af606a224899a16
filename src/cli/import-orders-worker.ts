/**
 * The parsing half of `orderops import orders`, in a worker thread: it reads, validates and
 * classifies the file and hands each chunk (COPY text, transferred, not copied) to the main thread,
 * which writes it to Postgres. So parsing chunk n+1 never delays the COPY of chunk n, and both cores
 * work. Messages: see ImportWorkerMessage / ImportParentMessage.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ChunkResult } from '../db/order-import';
import type { OrderImportOptions, OrderImportSummary } from '../actions/import-orders';
import { parseGeneric, readOrdersFile, type ReadProgress } from './order-lines';

export interface ImportWorkerData {
  file: string;
  opts: Omit<OrderImportOptions, 'stock' | 'now' | 'parse'> & { now: string; stock?: [string, number][] };
}

export type ImportWorkerMessage =
  | { kind: 'chunk'; id: number; lane: number; text: Uint8Array }
  | ({ kind: 'progress' } & ReadProgress)
  | { kind: 'done'; summary: OrderImportSummary }
  | { kind: 'failed'; message: string };

export type ImportParentMessage = { kind: 'applied'; id: number; result: ChunkResult } | { kind: 'apply_failed'; id: number; message: string };

if (parentPort) {
  const port = parentPort;
  const data = workerData as ImportWorkerData;
  const waiting = new Map<number, { resolve(r: ChunkResult): void; reject(e: Error): void }>();
  let next = 0;
  port.on('message', (m: ImportParentMessage) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.kind === 'applied') w?.resolve(m.result);
    else w?.reject(new Error(m.message));
  });
  const sink = {
    apply(text: Buffer, lane: number): Promise<ChunkResult> {
      const id = next++;
      // Transferred, not copied: a large Buffer.from(string) owns its ArrayBuffer; a pooled one is copied.
      const whole = text.byteOffset === 0 && text.buffer.byteLength === text.length;
      const own = whole ? new Uint8Array(text.buffer) : Uint8Array.from(text);
      port.postMessage({ kind: 'chunk', id, lane, text: own } satisfies ImportWorkerMessage, [own.buffer as ArrayBuffer]);
      return new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
    },
  };
  const { now, stock, ...opts } = data.opts;
  readOrdersFile(data.file, sink, { ...opts, parse: parseGeneric, now: new Date(now), stock: stock ? new Map(stock) : undefined }, (p) =>
    port.postMessage({ kind: 'progress', ...p } satisfies ImportWorkerMessage),
  ).then(
    (summary) => port.postMessage({ kind: 'done', summary } satisfies ImportWorkerMessage),
    (e: unknown) => port.postMessage({ kind: 'failed', message: (e as Error).message } satisfies ImportWorkerMessage),
  );
}
