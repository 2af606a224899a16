import pg from 'pg';
import { upsertOrders, type IncomingOrder } from '../../src/db/order-writes';
import type { Order } from '../../src/domain/orders/order';
import { uid } from '../helpers/test-app';

let db: pg.Pool;
beforeAll(() => {
  db = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 2 });
});
afterAll(() => db.end());

const full = (id: string): Order => ({
  source: 'douyin', externalId: id, channel: 'douyin', shop: '323423', createdAt: '2026-01-08T20:01:02+08:00',
  updatedAt: '2026-01-08T20:01:40+08:00', status: 'paid', stage: 'pending',
  buyer: { name: '王五', phone: '13812345678' }, address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号' },
  items: [{ sku: 'LAMP-01', qty: 1, price: '599.00' }], total: '599.00', paid: '599.00', currency: 'CNY', presale: false,
  logistics: { intercepted: false },
});
const thin = (id: string, over: Partial<Order> & Record<string, unknown>): Order & { partial: true } => ({
  source: 'douyin', externalId: id, channel: 'douyin', createdAt: '2026-01-09T10:00:00+08:00', status: 'paid', buyer: {}, address: {},
  items: [], total: '0.00', currency: 'CNY', presale: false, logistics: { intercepted: false }, partial: true, ...over,
});
const write = (o: Order) => upsertOrders(db, [{ order: o, raw: o } as IncomingOrder]);
const row = async (id: string) =>
  (await db.query('SELECT status, stage, total, paid, buyer_phone, platform_created_at, data FROM orders WHERE external_id = $1', [id])).rows[0];

describe('thin platform pushes', () => {
  it('update status, stage and times of a full order but never wipe its amounts, items, buyer or address', async () => {
    const id = uid('DY');
    await write(full(id));
    const [r] = await write(thin(id, { status: 'paid', stage: 'shipped', updatedAt: '2026-01-09T10:00:00+08:00' }));
    expect(r!.outcome).toBe('updated');
    const after = await row(id);
    expect(after).toMatchObject({ status: 'paid', stage: 'shipped', total: '599.00', paid: '599.00', buyer_phone: '13812345678' });
    expect(after.platform_created_at.toISOString()).toBe('2026-01-08T12:01:02.000Z');
    expect(after.data).toMatchObject({ partial: false, items: [{ sku: 'LAMP-01', qty: 1, price: '599.00' }], address: { detail: '文三路90号' }, updatedAt: '2026-01-09T10:00:00+08:00' });
  });

  it('take an address from an address-change push', async () => {
    const id = uid('DY');
    await write(full(id));
    await write(thin(id, { status: 'paid', updatedAt: '2026-01-09T11:00:00+08:00', address: { province: '上海市', city: '上海市', district: '浦东新区', detail: '世纪大道100号' } }));
    expect((await row(id)).data.address).toEqual({ province: '上海市', city: '上海市', district: '浦东新区', detail: '世纪大道100号' });
  });

  it('keep amounts between two thin pushes (paid, then shipped)', async () => {
    const id = uid('DY');
    await write(thin(id, { status: 'paid', total: '599.00', paid: '599.00', updatedAt: '2026-01-09T10:00:00+08:00' }));
    await write(thin(id, { status: 'paid', stage: 'shipped', updatedAt: '2026-01-09T12:00:00+08:00' }));
    expect(await row(id)).toMatchObject({ stage: 'shipped', total: '599.00', paid: '599.00' });
    expect((await row(id)).data.partial).toBe(true);
  });
});
