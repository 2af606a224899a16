import { apiGet, genericOrder, postOrders, startTestApp, eventually, TEST_TOKEN, type TestApp } from '../helpers/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe('read API authorisation', () => {
  it.each([
    ['no Authorization header', null],
    ['a wrong token', 'nope'],
    ['the token with a different case', TEST_TOKEN.toUpperCase()],
  ])('answers 401 to %s', async (_label, token) => {
    for (const path of ['/api/orders/generic/anything', '/api/exceptions']) {
      const res = await apiGet(app.url, path, token);
      expect(res.status).toBe(401);
      expect(res.json.error).toBe('orderops_unauthorized');
    }
  });

  it('answers 503 with advice when no token is configured', async () => {
    const open = await startTestApp({ ORDEROPS_API_TOKEN: '' }, { role: 'intake' });
    try {
      const res = await apiGet(open.url, '/api/exceptions', 'anything');
      expect(res.status).toBe(503);
      expect(res.json.message).toContain('ORDEROPS_API_TOKEN');
    } finally {
      await open.close();
    }
  });
});

describe('GET /api/orders/:source/:externalId', () => {
  it('returns the order with stage, tags, exceptions and history', async () => {
    const order = genericOrder({
      buyer: { name: '赵六', phone: '13900001111', vip: true },
      address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' },
      remark: '急',
    });
    await postOrders(app.url, order);
    const body = await eventually(async () => {
      const r = await apiGet(app.url, `/api/orders/generic/${order.id}`);
      return r.json.order?.processed ? r.json : undefined;
    });
    expect(body.order).toMatchObject({ external_id: order.id, source: 'generic', stage: 'pending', review_status: 'held', status: 'paid', total: '599.00' });
    expect(body.order.tags.sort()).toEqual(['urgent', 'vip']);
    expect(body.exceptions.map((e: { type: string }) => e.type).sort()).toEqual(['remark_urgent', 'vague_address']);
    for (const e of body.exceptions) {
      expect(e).toMatchObject({ status: 'open', assignee: null, escalation_level: 0 });
      expect(new Date(e.resolve_due_at).getTime()).toBeGreaterThan(new Date(e.claim_due_at).getTime());
    }
    expect(body.history).toEqual([expect.objectContaining({ to_status: 'paid', to_stage: 'pending', actor: 'source:generic' })]);
  });

  it('gives each exception its reasons as keys and as text in the configured locale; an old row its stored text', async () => {
    const order = genericOrder({ address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '幸福小区门口' } });
    await postOrders(app.url, order);
    const body = await eventually(async () => {
      const r = await apiGet(app.url, `/api/orders/generic/${order.id}`);
      return r.json.order?.processed ? r.json : undefined;
    });
    const [vague] = body.exceptions;
    expect(vague.reasons).toEqual([{ key: 'reason.vague_address.landmark', params: { landmark: '小区门口' } }]);
    expect(vague.reason).toBe('地址仅有地标"小区门口"，无门牌号');
    const stored = await app.pool.query('SELECT reason, reason_refs FROM exceptions WHERE id = $1', [vague.id]);
    expect(stored.rows[0]).toEqual({ reason: '地址仅有地标"小区门口"，无门牌号', reason_refs: vague.reasons });

    // A row written before reasons were keys: only its text, shown as it is.
    await app.pool.query(`UPDATE exceptions SET reason = '旧原因：地址不详', reason_refs = NULL WHERE id = $1`, [vague.id]);
    const old = (await apiGet(app.url, `/api/orders/generic/${order.id}`)).json.exceptions[0];
    expect(old.reason).toBe('旧原因：地址不详');
    expect(old.reasons).toEqual([{ key: 'reason.text', params: { text: '旧原因：地址不详' } }]);
  });

  it('answers 404 for an unknown order, and treats hostile ids as plain text', async () => {
    for (const id of ['no-such-order', "x' OR '1'='1", '%27%3B%20DROP%20TABLE%20orders%3B--']) {
      const res = await apiGet(app.url, `/api/orders/generic/${encodeURIComponent(id)}`);
      expect(res.status).toBe(404);
      expect(res.json.error).toBe('orderops_not_found');
    }
  });
});

describe('GET /api/exceptions', () => {
  it('filters by status and type and pages with next_before', async () => {
    const orders = [1, 2, 3].map(() => genericOrder({ remark: '转寄' }));
    await postOrders(app.url, orders);
    const all = await eventually(async () => {
      const r = await apiGet(app.url, '/api/exceptions?status=open&type=remark_forward&limit=500');
      const mine = r.json.exceptions.filter((e: { order_external_id: string }) => orders.some((o) => o.id === e.order_external_id));
      return mine.length === 3 ? r.json.exceptions : undefined;
    });
    expect(all.every((e: { status: string; type: string }) => e.status === 'open' && e.type === 'remark_forward')).toBe(true);

    const page1 = await apiGet(app.url, '/api/exceptions?status=open,claimed&limit=2&sort=newest');
    expect(page1.json.exceptions).toHaveLength(2);
    expect(page1.json.next_before).toBe(page1.json.exceptions[1].id);
    const page2 = await apiGet(app.url, `/api/exceptions?status=open,claimed&limit=2&before=${page1.json.next_before}`);
    expect(page2.json.exceptions[0].id).toBeLessThan(page1.json.next_before);
  });

  it('sorts by the order priority by default (VIP and critical first, then the earliest ship-by) and pages with next_cursor', async () => {
    const soon = new Date(Date.now() + 20 * 3600_000).toISOString();
    const later = new Date(Date.now() + 40 * 3600_000).toISOString();
    const plain = genericOrder({ remark: '代收', ship_by: later });
    const early = genericOrder({ remark: '代收', ship_by: soon });
    const vip = genericOrder({ remark: '代收', ship_by: later, buyer: { name: '王五', phone: '13812345678', vip: true } });
    await postOrders(app.url, [plain, early, vip]);
    const mine = (r: { json: { exceptions: { order_external_id: string }[] } }) =>
      r.json.exceptions.filter((e) => [plain.id, early.id, vip.id].includes(e.order_external_id)).map((e) => e.order_external_id);
    const ordered = await eventually(async () => {
      const r = await apiGet(app.url, '/api/exceptions?type=remark_forward&status=open&limit=500');
      return mine(r).length === 3 ? r : undefined;
    });
    expect(ordered.json.sort).toBe('priority');
    expect(mine(ordered)).toEqual([vip.id, early.id, plain.id]);
    // Keyset pages of the same order, one by one.
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 500 && seen.length < 3; i++) {
      const page: { json: { exceptions: { order_external_id: string }[]; next_cursor: string | null } } = await apiGet(app.url, `/api/exceptions?type=remark_forward&status=open&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...mine(page));
      cursor = page.json.next_cursor;
      if (!cursor) break;
    }
    expect(seen).toEqual([vip.id, early.id, plain.id]);
  });

  it.each([
    ['status=bogus', 'unknown status'],
    ['limit=0', 'limit'],
    ['limit=9999', 'limit'],
    ['before=abc', 'before'],
  ])('answers 400 to %s', async (query, words) => {
    const res = await apiGet(app.url, `/api/exceptions?${query}`);
    expect(res.status).toBe(400);
    expect(res.json.message).toContain(words);
  });
});

describe('health and metrics', () => {
  it('is alive and ready with both stores up', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    // (plus a calendar entry that depends on today's year: see work-calendar.test.ts)
    expect(await ready.json()).toMatchObject({ ok: true, postgres: true, redis: true, calendar: expect.any(Object) });
  });

  it('exposes Prometheus metrics that count intake outcomes', async () => {
    await postOrders(app.url, genericOrder());
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toMatch(/orderops_intake_orders_total\{source="generic",outcome="created"\} [1-9]/);
    expect(text).toContain('orderops_intake_ack_seconds_bucket');
  });
});
