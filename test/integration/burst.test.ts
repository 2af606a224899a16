import { apiGet, genericOrder, postOrders, startTestApp, type TestApp } from '../helpers/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

// Functional, not a benchmark: nothing here asserts a speed. The rate is printed for the note;
// `npm run bench:intake` is where speed is measured against the machine's own limits.
it('acknowledges a burst of 3,000 orders from 60 concurrent senders, and every one is readable', async () => {
  const senders = 60;
  const perSender = 50;
  const ids: string[][] = Array.from({ length: senders }, () => []);
  const started = performance.now();
  const statuses = await Promise.all(
    ids.map(async (mine) => {
      const seen: number[] = [];
      for (let i = 0; i < perSender; i++) {
        const order = genericOrder({ remark: i % 10 === 0 ? '急' : '' });
        const res = await postOrders(app.url, order);
        seen.push(res.status);
        if (res.status === 200 && res.json.orders[0].result === 'created') mine.push(order.id as string);
      }
      return seen;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const all = statuses.flat();
  expect(all).toHaveLength(senders * perSender);
  expect(all.every((s) => s === 200)).toBe(true);
  const acked = ids.flat();
  expect(new Set(acked).size).toBe(3000);
  console.log(`burst: ${acked.length} orders acknowledged in ${seconds.toFixed(2)} s = ${Math.round(acked.length / seconds)} orders/s (60 senders, one order per request)`);

  // Every acknowledged order is readable through the read API.
  const missing: string[] = [];
  for (let i = 0; i < acked.length; i += 50) {
    const slice = acked.slice(i, i + 50);
    const res = await Promise.all(slice.map((id) => apiGet(app.url, `/api/orders/generic/${id}`)));
    res.forEach((r, j) => {
      if (r.status !== 200 || r.json.order.external_id !== slice[j]) missing.push(slice[j]!);
    });
  }
  expect(missing).toEqual([]);
}, 120_000);
