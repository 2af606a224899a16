import { apiSign, eventSign, eventSignHmac, sortedJson, verifyPush } from '../../../src/integrations/platforms/douyin/sign';
import { shopifyHmac, verifyShopifyHmac } from '../../../src/integrations/platforms/shopify/sign';
import { topSign, topSignString } from '../../../src/integrations/platforms/taobao/sign';
import { pddMessageUrl, pddSign } from '../../../src/integrations/platforms/pinduoduo/sign';
import { jdSign } from '../../../src/integrations/platforms/jd/sign';

// Test vectors: shop-platforms.md §8, strings exact.
const DY = { appKey: '3409409348479354011', appSecret: '2ad2355c-01d0-11f8-91dc-05a8cd1054b1' };
const V3_BODY =
  '[{"tag":"100","msg_id":"7300000000000000001","data":"{\\"biz\\":2,\\"create_time\\":1700000000,\\"order_status\\":1,\\"order_type\\":0,\\"p_id\\":6920000000000000001,\\"s_ids\\":[6920000000000000002],\\"shop_id\\":323423}"}]';
const V1_BODY = '{"id":820982911946154508,"name":"#1001","updated_at":"2024-01-01T00:00:00-05:00"}';
const V2_BODY = '{"id":820982911946154500,"name":"#1001","updated_at":"2024-01-01T00:00:00-05:00"}';
const V1_HMAC = 'mGy5a+WOpdrqo8gWqMbHxiWjn2b0VvX2BduPLJ9u2ck=';

describe('Douyin push event-sign (V3, V4)', () => {
  it('V3: md5(app_key + body + app_secret)', () => {
    expect(Buffer.byteLength(V3_BODY)).toBe(210);
    expect(eventSign(DY.appKey, V3_BODY, DY.appSecret)).toBe('8386c52d66cb8753461819a81144ae89');
  });
  it('V4: the unverified HMAC-SHA256 variant', () => {
    expect(eventSignHmac(DY.appKey, V3_BODY, DY.appSecret)).toBe('bd6aaaa0acd64cd1f8716265d6df6ef02cc62c80a3a2d7928fc23089bb0fb8f0');
  });

  const body = Buffer.from(V3_BODY);
  it.each<[string, Parameters<typeof verifyPush>, ReturnType<typeof verifyPush>]>([
    ['V3 as sent', [DY, body, '8386c52d66cb8753461819a81144ae89', DY.appKey], { ok: true }],
    ['upper-case hex', [DY, body, '8386C52D66CB8753461819A81144AE89', DY.appKey], { ok: true }],
    ['without app-id', [DY, body, '8386c52d66cb8753461819a81144ae89', undefined], { ok: true }],
    ['V4 with sign-method: hmac-sha256', [DY, body, 'bd6aaaa0acd64cd1f8716265d6df6ef02cc62c80a3a2d7928fc23089bb0fb8f0', DY.appKey, 'hmac-sha256'], { ok: true }],
    ['no sign', [DY, body, undefined, DY.appKey], { ok: false, reason: 'missing' }],
    ['app-id of another app (refused before hashing)', [DY, body, '8386c52d66cb8753461819a81144ae89', '1111'], { ok: false, reason: 'mismatch' }],
    ['body re-serialised with spaces', [DY, Buffer.from(JSON.stringify(JSON.parse(V3_BODY), null, 1)), '8386c52d66cb8753461819a81144ae89', DY.appKey], { ok: false, reason: 'mismatch' }],
    ['wrong secret', [{ ...DY, appSecret: 'x' }, body, '8386c52d66cb8753461819a81144ae89', DY.appKey], { ok: false, reason: 'mismatch' }],
    ['md5 sign under sign-method hmac-sha256', [DY, body, '8386c52d66cb8753461819a81144ae89', DY.appKey, 'hmac-sha256'], { ok: false, reason: 'malformed' }],
    ['not hex', [DY, body, 'zz86c52d66cb8753461819a81144ae89', DY.appKey], { ok: false, reason: 'malformed' }],
  ])('verifyPush: %s', (_label, args, expected) => {
    expect(verifyPush(...args)).toEqual(expected);
  });
});

describe('Douyin API sign (V5)', () => {
  const params = { size: 100, page: 0, update_time_start: 1700000000, update_time_end: 1700003600, order_by: 'update_time', order_asc: false };
  const paramJson =
    '{"order_asc":false,"order_by":"update_time","page":0,"size":100,"update_time_end":1700003600,"update_time_start":1700000000}';
  it('param_json sorts keys recursively, without spaces or HTML escaping', () => {
    expect(sortedJson(params)).toBe(paramJson);
    expect(sortedJson({ b: { d: 1, c: [{ z: 1, y: '<&>' }] }, a: undefined })).toBe('{"b":{"c":[{"y":"<&>","z":1}],"d":1}}');
  });
  it('V5: hmac-sha256 over secret + app_key… + method… + param_json… + timestamp… + v2 + secret', () => {
    expect(apiSign({ ...DY, method: 'order.searchList', paramJson, timestamp: '1700003600', v: '2' })).toBe(
      'a950cf207d19bc920a375ebd47c50d4f68eb6ea18e1ba109a2603a225df712c9',
    );
  });
});

describe('Shopify X-Shopify-Hmac-Sha256 (V1, V2)', () => {
  it('V1: base64 HMAC-SHA256 of the raw body', () => {
    expect(Buffer.byteLength(V1_BODY)).toBe(81);
    expect(shopifyHmac('hush', V1_BODY)).toBe(V1_HMAC);
  });
  it('V2: the JS re-serialised body has another HMAC', () => {
    expect(JSON.stringify(JSON.parse(V1_BODY))).toBe(V2_BODY);
    expect(shopifyHmac('hush', V2_BODY)).toBe('Fjb8K8PCKc1uDqZ4lbhVz2ehXw4W2ORboDv7PgSSroM=');
  });
  it.each<[string, string[], string, string | undefined, ReturnType<typeof verifyShopifyHmac>]>([
    ['V1 as sent', ['hush'], V1_BODY, V1_HMAC, { ok: true }],
    ['V1 during a secret rotation', ['new-secret', 'hush'], V1_BODY, V1_HMAC, { ok: true }],
    ['V2: V1 header over the re-serialised body', ['hush'], V2_BODY, V1_HMAC, { ok: false, reason: 'mismatch' }],
    ['the digest hex-encoded instead of base64', ['hush'], V1_BODY, Buffer.from(V1_HMAC, 'base64').toString('hex'), { ok: false, reason: 'malformed' }],
    ['no header', ['hush'], V1_BODY, undefined, { ok: false, reason: 'missing' }],
    ['another secret', ['not-hush'], V1_BODY, V1_HMAC, { ok: false, reason: 'mismatch' }],
  ])('verify: %s', (_label, secrets, body, header, expected) => {
    expect(verifyShopifyHmac(secrets, Buffer.from(body), header)).toEqual(expected);
  });
});

describe('Taobao TOP sign (V6, V7)', () => {
  const v6 = {
    method: 'taobao.item.seller.get', app_key: '12345678', session: 'test', timestamp: '2016-01-01 12:00:00', format: 'json',
    v: '2.0', sign_method: 'md5', fields: 'num_iid,title,nick,price,num', num_iid: '11223344',
  };
  it('V6 (the official example): md5', () => {
    expect(topSignString({ ...v6, sign: 'ignored' })).toBe(
      'app_key12345678fieldsnum_iid,title,nick,price,numformatjsonmethodtaobao.item.seller.getnum_iid11223344sessiontestsign_methodmd5timestamp2016-01-01 12:00:00v2.0',
    );
    expect(topSign(v6, 'helloworld', 'md5')).toBe('66987CB115214E59E6EC978214934FB8');
  });
  it('V7: hmac-sha256 for the increment pull', () => {
    const v7 = {
      method: 'taobao.trades.sold.increment.get', app_key: '12345678', session: 'test', timestamp: '2024-06-01 12:00:00',
      format: 'json', v: '2.0', sign_method: 'hmac-sha256', fields: 'tid,status,modified', start_modified: '2024-06-01 00:00:00',
      end_modified: '2024-06-01 12:00:00', page_no: '1', page_size: '100', use_has_next: 'true',
    };
    expect(topSign(v7, 'helloworld', 'hmac-sha256')).toBe('DEBA224EBE93A724C8C08343B28ED78FCA38210572CA83AFC662EF96ADEFD318');
  });
  it('hmac (HMAC-MD5) is upper-case hex of HMAC-MD5(secret, str)', () => {
    expect(topSign(v6, 'helloworld', 'hmac')).toMatch(/^[0-9A-F]{32}$/);
    expect(topSign(v6, 'helloworld', 'hmac')).not.toBe(topSign(v6, 'helloworld', 'md5'));
  });
});

describe('Pinduoduo sign (V8, V10)', () => {
  it('V8 (the official example)', () => {
    expect(
      pddSign(
        {
          type: 'pdd.order.number.list.get', client_id: '1', access_token: 'asd78172s8ds9a921j9qqwda12312w1w21211', data_type: 'XML',
          timestamp: '1480411125', order_status: '1', page: '1', page_size: '10',
        },
        'testSecret',
      ),
    ).toBe('E4DE3ED21002510DED352819E7AE6775');
  });
  it('V10: message WebSocket URL (community-derived)', () => {
    expect(pddMessageUrl('testClientId', 1700000000000, 'testSecret')).toBe(
      'wss://message-api.pinduoduo.com/message/testClientId/1700000000000/N2U1ODFlZTVjMmQ4MWIyMGY0MGY0YjRkZTE0OTdhNWI=',
    );
  });
});

describe('JD JOS sign (V9)', () => {
  it('V9 (the official example)', () => {
    expect(
      jdSign(
        {
          '360buy_param_json':
            '{"end_date":null,"optional_fields":null,"order_state":"WAIT_SELLER_STOCK_OUT","page":"1","page_size":"200","start_date":null}',
          access_token: 'yourtoken', app_key: 'yourappkey', method: 'jingdong.pop.order.search',
          timestamp: '2021-05-07 09:20:39.683+0800', v: '2.0',
        },
        'yourappSecret',
      ),
    ).toBe('D70825340F4084360B9362B60DFD7930');
  });
});
