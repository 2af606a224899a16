import * as lark from '@larksuiteoapi/node-sdk';
import { checkSignature, decryptFeishu, feishuSignature, sameSecret, verifyFeishuRequest, type FeishuVerifyConfig } from '../../src/bot/feishu/feishu-verify';
import { encryptFeishu } from '../helpers/feishu';
import { CARD_ACTION_BUTTON, URL_VERIFICATION } from '../helpers/feishu-fixtures';

// Vector from ../shared/reference/chat-platforms.md §2.12, re-computed with `sha256sum` over the
// concatenation (printf '%s' '1700000000nonce123ekey{…}' | sha256sum).
const VECTOR = {
  timestamp: '1700000000',
  nonce: 'nonce123',
  key: 'ekey',
  body: '{"schema":"2.0","header":{"event_id":"e1","event_type":"card.action.trigger","token":"vt","app_id":"cli_x"},"event":{"operator":{"open_id":"ou_1"},"action":{"tag":"button","value":{"a":"claim"}},"context":{"open_message_id":"om_1","open_chat_id":"oc_1"}}}',
  signature: 'cdd30507d3c9ea3ec92859638b5914b0066a0e0931aaa82e96c8e030da7653fc',
};

// AES vector computed with OpenSSL, independent of this code:
//   K=$(printf 'orderops-test-key' | sha256sum | cut -d' ' -f1)
//   printf '%s' '{"challenge":…}' | openssl enc -aes-256-cbc -K $K -iv 000102…0f, prefixed with the IV, base64
const AES = {
  key: 'orderops-test-key',
  plain: '{"challenge":"c-1","token":"vt","type":"url_verification"}',
  encrypt: 'AAECAwQFBgcICQoLDA0OD90Bp/wsREQDTc0DCEfbmjjS6ls9mynKvcr3As6+PkeqKt3BRK/CwS72+JLsAuBIv7+JIqxmvjXMQr8wRoNhkXI=',
};

const NOW = 1_700_000_100_000; // 100 s after the vector's timestamp
const headers = (sig = VECTOR.signature, ts = VECTOR.timestamp) => ({
  'x-lark-request-timestamp': ts,
  'x-lark-request-nonce': VECTOR.nonce,
  'x-lark-signature': sig,
});

describe('Feishu signature (SHA-256 of timestamp + nonce + encrypt key + raw body)', () => {
  it('matches the reference vector', () => {
    expect(feishuSignature(VECTOR.timestamp, VECTOR.nonce, VECTOR.key, VECTOR.body)).toBe(VECTOR.signature);
    expect(feishuSignature(VECTOR.timestamp, VECTOR.nonce, VECTOR.key, Buffer.from(VECTOR.body))).toBe(VECTOR.signature);
  });

  it('accepts the exact bytes and refuses the same JSON re-serialised with other spacing', () => {
    expect(checkSignature(Buffer.from(VECTOR.body), headers(), VECTOR.key, NOW, 300)).toBeNull();
    const reformatted = JSON.stringify(JSON.parse(VECTOR.body), null, 1);
    expect(checkSignature(Buffer.from(reformatted), headers(), VECTOR.key, NOW, 300)).toMatch(/does not match/);
  });

  it.each([
    ['a signature of other bytes', headers('0'.repeat(64)), /does not match/],
    ['an upper-case but correct signature', headers(VECTOR.signature.toUpperCase()), null],
    ['a truncated signature', headers(VECTOR.signature.slice(0, 63)), /malformed X-Lark-Signature/],
    ['no timestamp', { ...headers(), 'x-lark-request-timestamp': '' }, /malformed X-Lark-Request-Timestamp/],
    ['a timestamp 301 s old', headers(VECTOR.signature, String(1_700_000_100 - 301)), /stale/],
    ['a timestamp 301 s ahead', headers(VECTOR.signature, String(1_700_000_100 + 301)), /stale/],
  ])('handles %s', (_label, h, expected) => {
    const r = checkSignature(Buffer.from(VECTOR.body), h, VECTOR.key, NOW, 300);
    if (expected === null) expect(r).toBeNull();
    else expect(r).toMatch(expected);
  });

  it('compares tokens in constant time and exactly', () => {
    expect(sameSecret('vt', 'vt')).toBe(true);
    expect(sameSecret('vt', 'VT')).toBe(false);
    expect(sameSecret('', 'vt')).toBe(false);
    expect(sameSecret('vt-longer', 'vt')).toBe(false);
  });
});

describe('Feishu AES-256-CBC bodies', () => {
  it('decrypts the OpenSSL vector, as the SDK does', () => {
    expect(decryptFeishu(AES.encrypt, AES.key)).toBe(AES.plain);
    expect(new lark.AESCipher(AES.key).decrypt(AES.encrypt)).toBe(AES.plain);
  });

  it('round-trips with the test helper (random IV) and agrees with the SDK', () => {
    const plain = JSON.stringify({ ...CARD_ACTION_BUTTON, note: '中文 <at id=all></at>' });
    const enc = encryptFeishu(plain, 'k');
    expect(decryptFeishu(enc, 'k')).toBe(plain);
    expect(new lark.AESCipher('k').decrypt(enc)).toBe(plain);
    expect(encryptFeishu(plain, 'k')).not.toBe(enc);
  });

  it('refuses a wrong key, a bad length and garbage', () => {
    expect(() => decryptFeishu(AES.encrypt, 'other-key')).toThrow();
    expect(() => decryptFeishu(AES.encrypt.slice(0, 20), AES.key)).toThrow();
    expect(() => decryptFeishu('not base64 at all!', AES.key)).toThrow();
  });
});

describe('verifyFeishuRequest', () => {
  const plainCfg: FeishuVerifyConfig = { appId: 'cli_x', verificationToken: 'vt', windowSeconds: 300 };
  const encCfg: FeishuVerifyConfig = { appId: 'cli_x', verificationToken: 'vt', encryptKey: 'ekey', windowSeconds: 300 };
  const signed = (raw: string, key = 'ekey', ts = '1700000050') => ({
    'x-lark-request-timestamp': ts,
    'x-lark-request-nonce': 'n1',
    'x-lark-signature': feishuSignature(ts, 'n1', key, raw),
  });

  it('answers a plain challenge whose token matches', () => {
    const r = verifyFeishuRequest(Buffer.from(JSON.stringify({ ...URL_VERIFICATION, token: 'vt' })), {}, plainCfg, NOW);
    expect(r).toEqual(expect.objectContaining({ ok: true, challenge: 'ajls384kdjx98XX' }));
  });

  it('refuses a plain challenge with a wrong or missing token', () => {
    for (const body of [{ ...URL_VERIFICATION, token: 'nope' }, URL_VERIFICATION]) {
      expect(verifyFeishuRequest(Buffer.from(JSON.stringify(body)), {}, plainCfg, NOW)).toMatchObject({ ok: false, status: 401 });
    }
  });

  it('answers an encrypted challenge (unsigned, as Feishu sends it)', () => {
    const raw = JSON.stringify({ encrypt: encryptFeishu(JSON.stringify({ ...URL_VERIFICATION, token: 'vt' }), 'ekey') });
    expect(verifyFeishuRequest(Buffer.from(raw), {}, encCfg, NOW)).toMatchObject({ ok: true, challenge: 'ajls384kdjx98XX' });
  });

  it('refuses an encrypted event without a signature, and a plain body when a key is set', () => {
    const event = { ...CARD_ACTION_BUTTON, header: { ...CARD_ACTION_BUTTON.header, token: 'vt', app_id: 'cli_x' } };
    const raw = JSON.stringify({ encrypt: encryptFeishu(JSON.stringify(event), 'ekey') });
    expect(verifyFeishuRequest(Buffer.from(raw), {}, encCfg, NOW)).toMatchObject({ ok: false, status: 401, reason: 'missing X-Lark-Signature' });
    const plain = JSON.stringify(event);
    expect(verifyFeishuRequest(Buffer.from(plain), signed(plain), encCfg, NOW)).toMatchObject({ ok: false, status: 401 });
  });

  it('accepts a signed, encrypted event and checks its token and app id', () => {
    const event = { ...CARD_ACTION_BUTTON, header: { ...CARD_ACTION_BUTTON.header, token: 'vt', app_id: 'cli_x' } };
    const raw = JSON.stringify({ encrypt: encryptFeishu(JSON.stringify(event), 'ekey') });
    const ok = verifyFeishuRequest(Buffer.from(raw), signed(raw), encCfg, NOW);
    expect(ok).toMatchObject({ ok: true });
    expect(ok.ok && ok.body).toEqual(event);
    const other = { ...event, header: { ...event.header, app_id: 'cli_other' } };
    const raw2 = JSON.stringify({ encrypt: encryptFeishu(JSON.stringify(other), 'ekey') });
    expect(verifyFeishuRequest(Buffer.from(raw2), signed(raw2), encCfg, NOW)).toMatchObject({ ok: false, reason: 'app_id is not this app' });
    const badToken = { ...event, header: { ...event.header, token: 'stolen?' } };
    const raw3 = JSON.stringify({ encrypt: encryptFeishu(JSON.stringify(badToken), 'ekey') });
    expect(verifyFeishuRequest(Buffer.from(raw3), signed(raw3), encCfg, NOW)).toMatchObject({ ok: false, reason: 'verification token does not match' });
  });

  it('refuses when nothing can be verified, and answers 400 to bytes that are not JSON', () => {
    const raw = JSON.stringify({ ...CARD_ACTION_BUTTON, header: { ...CARD_ACTION_BUTTON.header, app_id: 'cli_x' } });
    expect(verifyFeishuRequest(Buffer.from(raw), {}, { appId: 'cli_x', windowSeconds: 300 }, NOW)).toMatchObject({ ok: false, status: 401 });
    expect(verifyFeishuRequest(Buffer.from('{"schema":'), {}, plainCfg, NOW)).toMatchObject({ ok: false, status: 400 });
    expect(verifyFeishuRequest(Buffer.alloc(0), {}, plainCfg, NOW)).toMatchObject({ ok: false, status: 400 });
  });
});
