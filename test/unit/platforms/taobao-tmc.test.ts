import { mapTmcMessage, readTmcMessage, type TmcMessage } from '../../../src/integrations/platforms/taobao/tmc';

const read = (raw: unknown): TmcMessage => {
  const m = readTmcMessage(raw);
  if ('errors' in m) throw new Error(JSON.stringify(m.errors));
  return m;
};
const msg = (topic: string, content: string) => read({ id: 1, topic, user_nick: '家居旗舰店', pub_time: '2026-01-08 20:01:31', content });

describe('Taobao TMC messages → thin orders', () => {
  it('keeps a 19-digit tid exact and maps the trade topics to statuses', () => {
    const r = mapTmcMessage(msg('taobao_trade_TradeBuyerPay', '{"tid":3900000000000000001,"payment":"128.50","status":"WAIT_SELLER_SEND_GOODS"}'), '2026-01-08T12:02:00Z');
    expect(r).toMatchObject({ kind: 'order', order: { externalId: '3900000000000000001', status: 'paid', shop: '家居旗舰店', total: '128.50', partial: true, createdAt: '2026-01-08T20:01:31+08:00' } });
    if (r.kind === 'order') expect(r.order.updatedAt).toBeUndefined(); // a whole trade fetched later must never look older
  });

  it.each([
    ['taobao_trade_TradeCreate', 'pending_payment'],
    ['taobao_trade_TradeSellerShip', 'paid'],
    ['taobao_trade_TradeSuccess', 'completed'],
    ['taobao_trade_TradeClose', 'cancelled'],
    ['taobao_trade_TradeMemoModified', 'created'], // status-less: it only says "look again"
    ['taobao_refund_RefundCreated', 'created'],
  ])('%s → %s', (topic, status) => {
    expect(mapTmcMessage(msg(topic, '{"tid":12}'), '2026-01-08T12:02:00Z')).toMatchObject({ kind: 'order', order: { status } });
  });

  it('skips topics about anything but trades, and refuses a message without a usable tid', () => {
    expect(mapTmcMessage(msg('taobao_item_ItemAdd', '{"num_iid":1}'), 'x')).toMatchObject({ kind: 'skip' });
    expect(mapTmcMessage(msg('taobao_trade_TradeCreate', '{"tid":"12; drop"}'), 'x')).toMatchObject({ kind: 'error' });
    expect(mapTmcMessage(msg('taobao_trade_TradeCreate', '{}'), 'x')).toMatchObject({ kind: 'error' });
  });

  it('names what is wrong with a message it cannot read', () => {
    expect(readTmcMessage({ topic: 'taobao_trade_TradeCreate', content: 'nope' })).toEqual({
      errors: [{ field: 'id', message: 'is required' }, { field: 'content', message: expect.stringMatching(/not valid JSON/) }],
    });
    expect(readTmcMessage('x')).toMatchObject({ errors: expect.arrayContaining([{ field: 'topic', message: 'is required' }]) });
  });
});
