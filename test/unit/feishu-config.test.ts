import { feishuEnabled, readFeishuConfig } from '../../src/config/feishu';
import { larkDomain } from '../../src/integrations/feishu/feishu-api';

const base = { FEISHU_APP_ID: 'cli_a1b2c3d4e5f60718', FEISHU_APP_SECRET: 's', FEISHU_VERIFICATION_TOKEN: 'vt' };

describe('FEISHU_* configuration', () => {
  it('is off without credentials and defaults to feishu.cn', () => {
    const c = readFeishuConfig({});
    expect(feishuEnabled(c)).toBe(false);
    expect(c).toMatchObject({ domain: 'feishu', longConnection: false });
  });

  it('reads every variable', () => {
    const c = readFeishuConfig({ ...base, FEISHU_ENCRYPT_KEY: 'ek', FEISHU_DOMAIN: 'lark', FEISHU_CHAT_ID: 'oc_abc', FEISHU_LONG_CONNECTION: '1', FEISHU_BOT_OPEN_ID: 'ou_bot' });
    expect(feishuEnabled(c)).toBe(true);
    expect(c).toEqual({ appId: base.FEISHU_APP_ID, appSecret: 's', verificationToken: 'vt', encryptKey: 'ek', domain: 'lark', chatId: 'oc_abc', longConnection: true, botOpenId: 'ou_bot' });
  });

  it.each([
    [{ ...base, FEISHU_DOMAIN: 'open.feishu.cn' }, /FEISHU_DOMAIN/],
    [{ FEISHU_APP_ID: 'cli_x' }, /both FEISHU_APP_ID and FEISHU_APP_SECRET/],
    [{ ...base, FEISHU_CHAT_ID: 'C0123' }, /FEISHU_CHAT_ID/],
    [{ FEISHU_APP_ID: 'cli_x', FEISHU_APP_SECRET: 's' }, /FEISHU_VERIFICATION_TOKEN and\/or FEISHU_ENCRYPT_KEY/],
  ])('fails fast with advice on %j', (env, message) => {
    expect(() => readFeishuConfig(env)).toThrow(message);
  });

  it('needs no token or key with the long connection only', () => {
    expect(feishuEnabled(readFeishuConfig({ FEISHU_APP_ID: 'cli_x', FEISHU_APP_SECRET: 's', FEISHU_LONG_CONNECTION: 'true' }))).toBe(true);
  });

  it('maps the domain for the SDK: feishu, lark, or a stand-in base URL', () => {
    expect(larkDomain('feishu')).toBe(0);
    expect(larkDomain('lark')).toBe(1);
    expect(larkDomain('http://127.0.0.1:9999/')).toBe('http://127.0.0.1:9999');
  });
});
