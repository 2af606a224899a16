import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isInFlight, judgeHistorical, replacesInFile } from '../../src/domain/orders/history-import';
import type { OrderStage, OrderStatus } from '../../src/domain/orders/order';
import type { Classification, DetectedException } from '../../src/domain/orders/rules-types';
import { OrderImporter, type ChunkSink } from '../../src/actions/import-orders';
import { DEFAULT_RULES } from '../../src/domain/orders/default-rules';
import { contentHash } from '../../src/db/order-writes';
import { formatOrderImportSummary } from '../../src/cli/import-orders';
import { forEachLine } from '../../src/cli/order-lines';
import { parseGeneric } from '../../src/cli/order-lines';

const vague: DetectedException = { type: 'vague_address', rule: 'vague_address.landmark', reasons: [{ key: 'reason.vague_address.landmark', params: { landmark: '小区门口' } }], team: 'service', severity: 'warning', claimMinutes: 30, resolveMinutes: 60 };
const found = (exceptions: DetectedException[], tags: string[] = []): Classification => ({ tags, priority: tags.includes('urgent') ? 1 : 0, exceptions, autoApproved: exceptions.length === 0, trace: [] });

describe('isInFlight: still being worked on', () => {
  it.each<[OrderStatus, OrderStage | undefined, boolean]>([
    ['paid', undefined, true],
    ['partially_paid', 'pending', true],
    ['created', 'packed', true],
    ['paid', 'shipped', false],
    ['paid', 'delivered', false],
    ['completed', 'pending', false],
    ['cancelled', undefined, false],
    ['refunded', 'reviewed', false],
    ['closed', undefined, false],
  ])('%s at stage %s → %s', (status, stage, want) => {
    expect(isInFlight({ status, stage })).toBe(want);
  });
});

describe('judgeHistorical: what an import records', () => {
  it('an order in flight keeps its exceptions, quietly, and is written processed', () => {
    expect(judgeHistorical({ status: 'paid' }, found([vague], ['urgent']), { cards: false })).toEqual({
      inline: true, quiet: true, tags: ['urgent'], priority: 1, reviewStatus: 'held', recorded: [vague],
    });
  });

  it('a finished order gets tags and review status but no exception, with or without --cards', () => {
    for (const cards of [false, true]) {
      expect(judgeHistorical({ status: 'completed', stage: 'delivered' }, found([vague]), { cards })).toEqual({
        inline: true, quiet: true, tags: [], priority: 0, reviewStatus: 'held', recorded: [],
      });
    }
  });

  it('--cards hands an order in flight to processing: not written processed, not quiet, nothing recorded', () => {
    expect(judgeHistorical({ status: 'paid', stage: 'packed' }, found([vague]), { cards: true })).toMatchObject({ inline: false, quiet: false, recorded: [] });
  });

  it('a clean order is auto-approved', () => {
    expect(judgeHistorical({ status: 'paid' }, found([]), { cards: false }).reviewStatus).toBe('auto_approved');
  });
});

describe('replacesInFile: the newest line of an order wins, by the webhook rule', () => {
  it.each<[string, { status: OrderStatus; updatedAt?: string }, { status: OrderStatus; updatedAt?: string }, boolean]>([
    ['newer updated_at', { status: 'paid', updatedAt: '2026-01-08T21:00:00+08:00' }, { status: 'cancelled', updatedAt: '2026-01-08T20:00:00+08:00' }, true],
    ['older updated_at', { status: 'cancelled', updatedAt: '2026-01-08T19:00:00+08:00' }, { status: 'paid', updatedAt: '2026-01-08T20:00:00+08:00' }, false],
    ['same instant, other offset, lower rank', { status: 'paid', updatedAt: '2026-01-08T12:00:00Z' }, { status: 'completed', updatedAt: '2026-01-08T20:00:00+08:00' }, false],
    ['same instant, same rank: the later line', { status: 'refunded', updatedAt: '2026-01-08T12:00:00Z' }, { status: 'cancelled', updatedAt: '2026-01-08T20:00:00+08:00' }, true],
    ['microseconds decide', { status: 'paid', updatedAt: '2026-01-08T20:00:00.123457+08:00' }, { status: 'paid', updatedAt: '2026-01-08T20:00:00.123456+08:00' }, true],
    ['microseconds decide, older', { status: 'cancelled', updatedAt: '2026-01-08T20:00:00.123455+08:00' }, { status: 'paid', updatedAt: '2026-01-08T20:00:00.123456+08:00' }, false],
    ['no updated_at: status rank forward', { status: 'cancelled' }, { status: 'paid', updatedAt: '2026-01-08T20:00:00+08:00' }, true],
    ['no updated_at: status rank backward', { status: 'paid' }, { status: 'cancelled' }, false],
  ])('%s', (_name, later, earlier, want) => {
    expect(replacesInFile(later, earlier)).toBe(want);
  });
});

const order = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({
  id, created_at: '2026-01-08T20:01:02+08:00', status: 'paid', total: '599.00', paid: '599.00',
  address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号3幢501室' },
  items: [{ sku: 'LAMP-01', qty: 1 }], ...extra,
});

/** A sink that keeps each chunk's staged rows (external id and status columns) and says all were created. */
function recordingSink(): ChunkSink & { chunks: string[][] } {
  const chunks: string[][] = [];
  return {
    chunks,
    async apply(text) {
      const rows = text.toString('utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
      chunks.push(rows.map((r) => `${r[1]}:${r[4]}`));
      return { created: rows.length, updated: 0, toProcess: 0, exceptionsOpened: 0, exceptionsResolved: 0 };
    },
  };
}

describe('OrderImporter (no database)', () => {
  const now = new Date('2026-01-09T10:00:00+08:00');

  it('keeps the newest line of a repeated id within a chunk, and chunks in order', async () => {
    const sink = recordingSink();
    const imp = new OrderImporter(sink, { rules: DEFAULT_RULES, locale: 'zh-CN', parse: parseGeneric, now, cards: false, chunkOrders: 2 });
    await imp.add(1, order('A', { updated_at: '2026-01-08T21:00:00+08:00' }));
    await imp.add(2, order('A', { status: 'cancelled', updated_at: '2026-01-08T20:00:00+08:00' })); // older: ignored
    await imp.add(3, order('B'));
    await imp.add(4, order('C', { status: 'completed' }));
    const s = await imp.finish();
    expect(sink.chunks).toEqual([['A:paid', 'B:paid'], ['C:completed']]);
    expect(s).toMatchObject({ lines: 4, valid: 4, created: 3, unchanged: 1, badLines: 0 });
  });

  it('with two lanes, every line of an order goes to the same lane, each lane in order, and the counts add up', async () => {
    const byLane: string[][][] = [[], []];
    const sink: ChunkSink = {
      async apply(text, lane) {
        const rows = text.toString('utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
        byLane[lane]!.push(rows.map((r) => `${r[1]}:${r[4]}`));
        return { created: rows.length, updated: 0, toProcess: 0, exceptionsOpened: 0, exceptionsResolved: 0 };
      },
    };
    const imp = new OrderImporter(sink, { rules: DEFAULT_RULES, locale: 'zh-CN', parse: parseGeneric, now, cards: false, chunkOrders: 2, lanes: 2 });
    const ids = Array.from({ length: 12 }, (_, i) => `L${i}`);
    let n = 0;
    for (const id of ids) await imp.add(++n, order(id));
    for (const id of ids) await imp.add(++n, order(id, { status: 'completed', updated_at: '2026-01-08T23:00:00+08:00' }));
    const s = await imp.finish();
    expect(s).toMatchObject({ lines: 24, valid: 24, created: 24, unchanged: 0 });
    const laneOf = new Map<string, number>();
    byLane.forEach((chunks, lane) => chunks.flat().forEach((row) => {
      const id = row.split(':')[0]!;
      expect(laneOf.get(id) ?? lane).toBe(lane); // never in both lanes
      laneOf.set(id, lane);
    }));
    expect(byLane[0]!.length).toBeGreaterThan(0);
    expect(byLane[1]!.length).toBeGreaterThan(0);
    // Within a lane an order's paid line is applied before its completed line.
    for (const chunks of byLane) {
      const flat = chunks.flat();
      for (const id of ids) if (flat.includes(`${id}:completed`)) expect(flat.indexOf(`${id}:paid`)).toBeLessThan(flat.indexOf(`${id}:completed`));
    }
  });

  it('reports bad lines with their numbers and every problem, and takes the rest', async () => {
    const sink = recordingSink();
    const imp = new OrderImporter(sink, { rules: DEFAULT_RULES, locale: 'zh-CN', parse: parseGeneric, now, cards: false });
    await imp.add(1, '{"id": "X"');
    await imp.add(2, order('Y', { items: [{ sku: 'LAMP-01', qty: -1 }], total: 'lots' }));
    await imp.add(3, JSON.stringify({ id: 7, status: 'paid' }));
    await imp.add(4, order('Z'));
    await imp.add(5, '[1, 2]');
    const s = await imp.finish();
    expect(s).toMatchObject({ lines: 5, valid: 1, created: 1, badLines: 4 });
    expect(s.errors.map((e) => `${e.line}${e.id ? ` ${e.id}` : ''} ${e.field}`)).toEqual([
      '1 (line)', '2 Y items.0.qty', '2 Y total', '3 7 created_at', '3 7 items', '3 7 total', '5 (order)',
    ]);
    expect(sink.chunks).toEqual([['Z:paid']]);
    const text = formatOrderImportSummary(s).join('\n');
    expect(text).toContain('line 2 (Y): items.0.qty: must be positive');
    expect(text).toContain('imported 1 order line(s): 1 new, 0 updated, 0 unchanged');
    expect(text).toContain('4 bad line(s) skipped');
  });

  it('stores the raw order as the webhook does (hash of its JSON), the normalised one as data', async () => {
    let row: string[] = [];
    const imp = new OrderImporter({ async apply(t) { row = t.toString('utf8').trimEnd().split('\t'); return { created: 1, updated: 0, toProcess: 0, exceptionsOpened: 0, exceptionsResolved: 0 }; } },
      { rules: DEFAULT_RULES, locale: 'zh-CN', parse: parseGeneric, now, cards: false });
    const line = order('W', { remark: '急\t需要发票', extra_field: 1 });
    await imp.add(1, ` ${line} `);
    await imp.finish();
    const uncopy = (v: string) => v.replace(/\\(.)/g, (_m, c: string) => ({ t: '\t', n: '\n', r: '\r' })[c] ?? c);
    const raw = JSON.parse(uncopy(row[13]!));
    expect(raw).toMatchObject({ id: 'W', extra_field: 1, remark: '急\t需要发票' });
    expect(JSON.parse(uncopy(row[12]!))).toMatchObject({ externalId: 'W', source: 'generic', remark: '急\t需要发票' });
    expect(row[14]).toBe(contentHash(line));
    expect(row[15]).toBe('{"urgent"}');
    expect(row[17]).toBe('held');
    expect(JSON.parse(uncopy(row[20]!)).map((e: { type: string }) => e.type).sort()).toEqual(['remark_invoice', 'remark_urgent']);
  });

  it('a write failure ends the import with that error', async () => {
    const imp = new OrderImporter({ apply: () => Promise.reject(new Error('disk full')) }, { rules: DEFAULT_RULES, locale: 'zh-CN', parse: parseGeneric, now, cards: false, chunkOrders: 1 });
    await imp.add(1, order('F1'));
    await expect(imp.add(2, order('F2'))).rejects.toThrow('disk full');
  });
});

describe('forEachLine', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'orderops-lines-'));
  const lines = async (content: string | Buffer, max = 1024) => {
    const f = path.join(dir, `f${Math.random()}.jsonl`);
    writeFileSync(f, content);
    const out: [number, string | null][] = [];
    await forEachLine(f, max, async (n, t) => {
      out.push([n, t]);
    });
    return out;
  };

  it('numbers lines from 1, drops CRLF and a BOM, keeps a last line without newline', async () => {
    expect(await lines('\uFEFF{"a":1}\r\n\n{"b":2}')).toEqual([[1, '{"a":1}'], [2, ''], [3, '{"b":2}']]);
  });

  it('passes an oversized line as null without losing the lines around it, across read chunks', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const out = await lines(`{"a":1}\n${big}\n{"b":2}\n${big}`, 1024 * 1024);
    expect(out).toEqual([[1, '{"a":1}'], [2, null], [3, '{"b":2}'], [4, null]]);
  });

  it('keeps multi-byte characters split across read chunks', async () => {
    const text = `${'好'.repeat(700_000)}\n`; // 2.1 MB: crosses the 1 MiB read size inside a character
    const out = await lines(text, 4 * 1024 * 1024);
    expect(out[0]![1]).toBe('好'.repeat(700_000));
  });
});
