import { GroupCommitter, QueueFullError } from '../../src/db/group-commit';

interface Item {
  key: string;
  n: number;
}

/** A flush function whose batches are released by the test, to see exactly what runs together. */
function controlledFlush() {
  const calls: { items: Item[]; release: () => void }[] = [];
  const fn = (items: Item[]) =>
    new Promise<string[]>((resolve) => {
      calls.push({ items, release: () => resolve(items.map((i) => `${i.key}#${i.n}`)) });
    });
  return { calls, fn };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommitter', () => {
  it('writes at once when idle and batches what arrives while flushes run', async () => {
    const { calls, fn } = controlledFlush();
    const gc = new GroupCommitter<Item, string>(fn, { maxBatch: 100, maxConcurrent: 1, maxPending: 1000, key: (i) => i.key });
    const first = gc.submit([{ key: 'a', n: 1 }]);
    await tick();
    expect(calls).toHaveLength(1);
    const rest = [gc.submit([{ key: 'b', n: 1 }]), gc.submit([{ key: 'c', n: 1 }, { key: 'd', n: 1 }])];
    await tick();
    expect(calls).toHaveLength(1); // still one in flight
    calls[0]!.release();
    await first;
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.items.map((i) => i.key)).toEqual(['b', 'c', 'd']);
    calls[1]!.release();
    expect(await Promise.all(rest)).toEqual([['b#1'], ['c#1', 'd#1']]);
  });

  it('never puts one key in a batch twice nor in two concurrent flushes, and keeps arrival order', async () => {
    const { calls, fn } = controlledFlush();
    const gc = new GroupCommitter<Item, string>(fn, { maxBatch: 100, maxConcurrent: 3, maxPending: 1000, key: (i) => i.key });
    const p = gc.submit([{ key: 'x', n: 1 }, { key: 'y', n: 1 }, { key: 'x', n: 2 }, { key: 'x', n: 3 }]);
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[{ key: 'x', n: 1 }, { key: 'y', n: 1 }]]);
    calls[0]!.release();
    await tick();
    await tick();
    expect(calls[1]!.items).toEqual([{ key: 'x', n: 2 }]);
    expect(calls).toHaveLength(2);
    calls[1]!.release();
    await tick();
    await tick();
    calls[2]!.release();
    expect(await p).toEqual(['x#1', 'y#1', 'x#2', 'x#3']);
  });

  it('respects maxBatch and maxConcurrent', async () => {
    const { calls, fn } = controlledFlush();
    const gc = new GroupCommitter<Item, string>(fn, { maxBatch: 2, maxConcurrent: 2, maxPending: 1000, key: (i) => i.key });
    const p = gc.submit(Array.from({ length: 7 }, (_, n) => ({ key: `k${n}`, n })));
    await tick();
    expect(calls.map((c) => c.items.length)).toEqual([2, 2]);
    while (calls.some((c) => c.items.length > 0)) {
      const open = calls.splice(0);
      open.forEach((c) => c.release());
      await tick();
      await tick();
      if (calls.length === 0) break;
      expect(calls.every((c) => c.items.length <= 2)).toBe(true);
    }
    expect(await p).toHaveLength(7);
  });

  it('refuses a submission that would overflow maxPending, taking none of it', async () => {
    const { calls, fn } = controlledFlush();
    const gc = new GroupCommitter<Item, string>(fn, { maxBatch: 1, maxConcurrent: 1, maxPending: 3, key: (i) => i.key });
    const held = gc.submit([{ key: 'a', n: 1 }]);
    await tick();
    const queued = gc.submit([{ key: 'b', n: 1 }, { key: 'c', n: 1 }]);
    await expect(gc.submit([{ key: 'd', n: 1 }, { key: 'e', n: 1 }])).rejects.toBeInstanceOf(QueueFullError);
    expect(gc.waiting).toBe(2);
    for (let i = 0; i < 3; i++) {
      calls[i]!.release();
      await tick();
      await tick();
    }
    await expect(held).resolves.toEqual(['a#1']);
    await expect(queued).resolves.toEqual(['b#1', 'c#1']);
  });

  it('rejects every item of a failed flush and drains afterwards', async () => {
    const gc = new GroupCommitter<Item, string>(async () => Promise.reject(new Error('db down')), {
      maxBatch: 10, maxConcurrent: 1, maxPending: 100, key: (i) => i.key,
    });
    await expect(gc.submit([{ key: 'a', n: 1 }])).rejects.toThrow('db down');
    await expect(gc.drain()).resolves.toBeUndefined();
  });
});
