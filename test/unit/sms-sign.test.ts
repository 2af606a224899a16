import { aliyunEncode, aliyunSignature } from '../../src/integrations/sms/aliyun-sign';

describe('Aliyun RPC signature (SendSms)', () => {
  it("reproduces the documented example of Aliyun's SMS signature page", () => {
    // The worked example of the dysmsapi "signature" document (testId / testSecret).
    const params = {
      AccessKeyId: 'testId', Action: 'SendSms', Format: 'XML', OutId: '123', PhoneNumbers: '15300000001',
      RegionId: 'cn-hangzhou', SignName: '阿里云短信测试专用', SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466', SignatureVersion: '1.0', TemplateCode: 'SMS_71390007',
      TemplateParam: '{"customer":"test"}', Timestamp: '2017-07-12T02:42:19Z', Version: '2017-05-25',
    };
    expect(aliyunSignature(params, 'testSecret')).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  });

  it.each([
    [' ', '%20'],
    ['*', '%2A'],
    ['~', '~'],
    ['a+b', 'a%2Bb'],
    ["!'()", '%21%27%28%29'],
    ['中', '%E4%B8%AD'],
  ])('encodes %p as %p', (input, expected) => {
    expect(aliyunEncode(input)).toBe(expected);
  });
});
