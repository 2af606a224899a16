import { Pacer, type Timer } from '../../src/integrations/slack/pacer';

function virtualTimer(): Timer & { sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return { sleeps, now: () => t, sleep: async (ms) => { sleeps.push(ms); t += ms; } };
}

describe('per-channel pacing', () => {
  it('lets a short burst through, then one per interval', async () => {
    const timer = virtualTimer();
    const pacer = new Pacer({ intervalMs: 1000, burst: 3 }, timer);
    for (let i = 0; i < 5; i++) await pacer.take('C1');
    expect(timer.sleeps).toEqual([1000, 1000]);
  });

  it('paces each channel on its own', async () => {
    const timer = virtualTimer();
    const pacer = new Pacer({ intervalMs: 1000, burst: 1 }, timer);
    await Promise.all([pacer.take('C1'), pacer.take('C2'), pacer.take('C3')]);
    expect(timer.sleeps).toEqual([]);
  });

  it('spaces concurrent takers of one channel one interval apart', async () => {
    let t = 0;
    const waits: number[] = [];
    const pacer = new Pacer({ intervalMs: 1000, burst: 1 }, { now: () => t, sleep: async (ms) => void waits.push(ms) });
    await Promise.all([pacer.take('C1'), pacer.take('C1'), pacer.take('C1')]);
    expect(waits.sort()).toEqual([1000, 2000]);
    t = 10_000; // idle long enough: the bucket is full again
    await pacer.take('C1');
    expect(waits).toHaveLength(2);
  });

  it('tells how long a take would wait without reserving, and holds a channel for a Retry-After', async () => {
    const timer = virtualTimer();
    const pacer = new Pacer({ intervalMs: 1000, burst: 2 }, timer);
    expect(pacer.delay('C1')).toBe(0);
    await pacer.take('C1');
    await pacer.take('C1');
    expect(pacer.delay('C1')).toBe(1000);
    expect(pacer.delay('C1')).toBe(1000); // asking reserves nothing
    expect(pacer.delay('C2')).toBe(0);
    pacer.hold('C2', 30_000);
    expect(pacer.delay('C2')).toBe(30_000);
    await pacer.take('C2');
    expect(timer.sleeps).toEqual([30_000]);
    expect(pacer.delay('C1')).toBe(0); // 30 s later the bucket is full again
  });
});
