import { maskAddress, maskName, maskPhone, truncate } from '../../src/domain/privacy/mask';
import { availableActions, checkAction, type ExceptionState } from '../../src/domain/exceptions/exception';
import type { Staff } from '../../src/domain/staff';
import { validateAddressFix } from '../../src/domain/orders/address-fix';
import { renderFieldErrors } from '../../src/present/i18n/message';
import { DEFAULT_RULES } from '../../src/domain/orders/default-rules';
import { MESSAGE_KEYS, t } from '../../src/present/i18n';

describe('masking personal data for channel posts', () => {
  it.each([
    ['13812345678', '138****5678'],
    ['+86 138 1234 5678', '138****5678'],
    ['8613812345678', '138****5678'],
    ['021-64321234', '021****1234'],
    ['12345', '***45'],
    ['', ''],
    [undefined, ''],
  ])('maskPhone(%p) = %p', (input, expected) => {
    expect(maskPhone(input)).toBe(expected);
  });

  it.each([
    [{ province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号3幢501室' }, '浙江省 杭州市 西湖区 文三路****'],
    [{ province: '浙江省', city: '杭州市', detail: '小区门口' }, '浙江省 杭州市 小***'],
    [{ detail: 'Room 501' }, 'Roo****'],
    [{}, ''],
  ] as [{ province?: string; city?: string; district?: string; detail?: string }, string][])('maskAddress keeps the region and hides the street detail', (input, expected) => {
    expect(maskAddress(input)).toBe(expected);
    if (input.detail && input.detail.length > 4) expect(maskAddress(input)).not.toContain(input.detail.slice(3));
  });

  it.each([
    ['王五', '王*'],
    ['欧阳娜娜', '欧***'],
    ['Alice Smith', 'A****'],
    ['', ''],
  ])('maskName(%p) = %p', (input, expected) => {
    expect(maskName(input)).toBe(expected);
  });

  it('truncates by characters, not UTF-16 units, and marks the cut', () => {
    expect(truncate('急急急急急', 3)).toBe('急急…');
    expect(truncate('😀😀😀😀', 3)).toBe('😀😀…');
    expect(truncate('short', 10)).toBe('short');
  });
});

const staff = (role: Staff['role'], id = role): Staff => ({
  id, name: id, role, team: 'service', slackUserId: null, feishuOpenId: null, email: null, phone: null,
});
const ex = (over: Partial<ExceptionState> = {}): ExceptionState => ({
  id: 1, type: 'vague_address', status: 'open', assignee: null, version: 1, escalationLevel: 0, ...over,
});

describe('which buttons a card shows', () => {
  it.each([
    [ex(), ['exception.claim', 'exception.fix_address', 'exception.escalate']],
    [ex({ type: 'review' }), ['exception.claim', 'exception.approve', 'exception.escalate']],
    [ex({ type: 'payment', status: 'claimed', assignee: 'a' }), ['exception.escalate', 'exception.resolve']],
    [ex({ type: 'payment', status: 'escalated' }), ['exception.claim']],
    [ex({ type: 'payment', status: 'escalated', assignee: 'a' }), ['exception.resolve']],
    [ex({ status: 'resolved', assignee: 'a' }), []],
  ])('%o → %p', (state, expected) => {
    expect(availableActions(state)).toEqual(expected);
  });
});

describe('who may do what', () => {
  it.each([
    ['exception.claim', ex(), staff('agent'), null],
    ['exception.claim', ex({ assignee: 'b', status: 'claimed' }), staff('agent'), 'already_claimed'],
    ['exception.claim', ex(), null, 'unknown_user'],
    ['exception.approve', ex({ type: 'review' }), staff('agent'), 'forbidden'],
    ['exception.approve', ex({ type: 'review' }), staff('supervisor'), null],
    ['exception.approve', ex({ type: 'review' }), staff('manager'), null],
    ['exception.approve', ex({ type: 'payment' }), staff('manager'), 'not_applicable'],
    ['exception.escalate', ex(), staff('agent'), 'forbidden'],
    ['exception.escalate', ex(), staff('admin'), null],
    ['exception.resolve', ex(), staff('agent'), 'not_applicable'],
    ['exception.resolve', ex({ assignee: 'agent', status: 'claimed' }), staff('agent'), null],
    ['exception.resolve', ex({ assignee: 'someone', status: 'claimed' }), staff('agent'), 'not_assignee'],
    ['exception.resolve', ex({ assignee: 'someone', status: 'claimed' }), staff('supervisor'), null],
    ['exception.fix_address', ex({ type: 'payment' }), staff('agent'), 'not_applicable'],
    ['exception.fix_address', ex({ type: 'remark_address_change' }), staff('agent'), null],
    ['exception.claim', ex({ status: 'resolved' }), staff('admin'), 'already_resolved'],
  ] as const)('%s on %o by %o → %p', (action, state, actor, reason) => {
    const denial = checkAction(action, state, actor);
    expect(denial?.reason ?? null).toBe(reason);
  });
});

describe('validating a fixed address', () => {
  it.each([
    [{ province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号3幢501室' }, {}],
    [{ province: '浙江省', city: '杭州市', district: '西湖区', detail: '' }, { detail: 'required' }],
    [{ province: '浙江省', city: '广州市', district: '天河区', detail: '体育西路1号' }, { city: '广州市 is not in 浙江省' }],
    [{ province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' }, { detail: 'address names only a landmark "小区门口", no house number' }],
    [{ province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路附近' }, { detail: 'address gives only a relative place "附近"; no house number' }],
    [{ province: '火星', city: '杭州市', district: '西湖区', detail: '文三路90号' }, { province: 'province "火星" does not exist' }],
    [{ province: '浙江省', city: '杭州市', district: '西湖区', detail: 'x'.repeat(201) }, { detail: 'at most 200 characters' }],
  ])('%o → %o', (input, errors) => {
    expect(renderFieldErrors('en', validateAddressFix(input, DEFAULT_RULES).errors)).toEqual(errors);
  });
});

describe('texts', () => {
  it('has every key in both languages', () => {
    expect([...MESSAGE_KEYS.en].sort()).toEqual([...MESSAGE_KEYS['zh-CN']].sort());
  });

  it('fills variables without HTML-escaping them (each platform escapes first)', () => {
    expect(t('en', 'notice.already_claimed', { orderId: 'A&B', by: '<Li>' })).toBe('This exception of order A&B is already claimed by <Li>.');
    expect(t('zh-CN', 'status.escalated', { level: 2, actor: '' })).toBe('🔴 已升级（第 2 级）');
  });

  it('falls back to the key for an unknown text, so nothing crashes', () => {
    expect(t('zh-CN', 'no.such.key')).toBe('no.such.key');
  });
});
