/**
 * Carrier names as platforms and warehouses write them → 快递100 company codes (lower case).
 * Config (tracking.carrier_codes) adds to or overrides this table; an unknown carrier cannot be
 * subscribed and says so on the order.
 */
const BUILT_IN: [RegExp, string][] = [
  [/^(顺丰|sf\b|sf ?express|shunfeng)/i, 'shunfeng'],
  [/^(中通|zto\b|zhongtong)/i, 'zhongtong'],
  [/^(圆通|yto\b|yuantong)/i, 'yuantong'],
  [/^(韵达|yunda)/i, 'yunda'],
  [/^(申通|sto\b|shentong)/i, 'shentong'],
  [/^(极兔|j&t|jt ?express|jtexpress)/i, 'jtexpress'],
  [/^(京东|jd\b|jdl)/i, 'jd'],
  [/^(ems|邮政ems|中国邮政ems)/i, 'ems'],
  [/^(中国邮政|邮政|youzheng)/i, 'youzhengguonei'],
  [/^(德邦|debang)/i, 'debangkuaidi'],
  [/^(百世|汇通|huitong)/i, 'huitongkuaidi'],
];

export function kuaidi100Code(carrier: string | null | undefined, overrides: Record<string, string> = {}): string | null {
  const c = carrier?.trim();
  if (!c) return null;
  const own = overrides[c] ?? overrides[c.toLowerCase()];
  if (own) return own;
  for (const [re, code] of BUILT_IN) if (re.test(c)) return code;
  // Already a 快递100 code (lower-case letters and digits).
  return /^[a-z][a-z0-9]{1,30}$/.test(c) ? c : null;
}
