import { readConfig } from '../../src/config';
import { readLocalConfig } from '../../src/config/local';
import { buildExceptionCard, type ExceptionCardInput } from '../../src/domain/cards/exception-card';
import type { Staff } from '../../src/domain/staff';
import { demoStaff, DEMO_STAFF_PREFIX } from '../../src/bot/local/demo-staff';
import { escapeHtml, htmlFormat } from '../../src/bot/local/html-format';
import { effectiveStaff, isLoopbackHost, localChannelMode } from '../../src/bot/local/local-mode';
import { cardView, noticeHtml, noticeText, uiStrings } from '../../src/bot/local/local-view';
import { sortStaff } from '../../src/bot/local/local-routes';
import { parseActionRequest } from '../../src/bot/local/local-actions';
import { DEFAULT_TEAMS } from '../../src/config/settings';

const config = (env: NodeJS.ProcessEnv) => readConfig({ DATABASE_URL: 'postgres://u@localhost/x', ...env });

describe('when the local channel is served', () => {
  it.each([
    [{}, true, false],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, false, false],
    [{ FEISHU_APP_ID: 'cli_1' }, false, false],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', ORDEROPS_LOCAL_CHANNEL: '1' }, true, true],
    [{ ORDEROPS_LOCAL_CHANNEL: 'true' }, true, true],
    [{ ORDEROPS_LOCAL_CHANNEL: '0' }, false, false],
  ])('env %j → enabled %s, forced %s', (env, enabled, forced) => {
    expect(readLocalConfig(env)).toEqual({ enabled, forced });
  });

  it('refuses a switch it does not understand, with advice', () => {
    expect(() => readLocalConfig({ ORDEROPS_LOCAL_CHANNEL: 'yes' })).toThrow(/ORDEROPS_LOCAL_CHANNEL must be 1 \(always on\), 0 \(off\) or unset/);
  });

  it.each([
    ['127.0.0.1', true], ['127.1.2.3', true], ['localhost', true], ['::1', true], ['[::1]', true], ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false], ['::', false], ['192.168.1.5', false], ['example.com', false], ['127.0.0.1.evil.com', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('stays off beyond loopback unless forced, and says why', () => {
    const off = localChannelMode(config({ HOST: '0.0.0.0' }));
    expect(off.serve).toBe(false);
    expect(off.serve === false && off.why).toMatch(/HOST=0\.0\.0\.0 is not a loopback address.*ORDEROPS_LOCAL_CHANNEL=1/);
    expect(localChannelMode(config({ HOST: '0.0.0.0', ORDEROPS_LOCAL_CHANNEL: '1' }))).toEqual({ serve: true, demoStaff: true });
    expect(localChannelMode(config({}))).toEqual({ serve: true, demoStaff: true });
    expect(localChannelMode(config({ SLACK_BOT_TOKEN: 'x' }))).toEqual({ serve: false });
  });
});

describe('demo staff', () => {
  it('gives every team an agent and a supervisor, plus one manager, all marked as demo data', () => {
    const staff = demoStaff(DEFAULT_TEAMS);
    expect(staff).toHaveLength(9);
    for (const team of Object.keys(DEFAULT_TEAMS)) {
      expect(staff.filter((s) => s.team === team).map((s) => s.role).sort()).toEqual(['agent', 'supervisor']);
    }
    expect(staff.filter((s) => s.role === 'manager')).toEqual([{ id: 'demo.manager', name: '吴经理', role: 'manager' }]);
    expect(staff.every((s) => s.id.startsWith(DEMO_STAFF_PREFIX) && !s.slack && !s.feishu && !s.email && !s.phone)).toBe(true);
    expect(new Set(staff.map((s) => s.id)).size).toBe(staff.length);
  });

  it('names people of custom teams after the team', () => {
    expect(demoStaff({ live: { name: '直播组' } }).map((s) => s.name)).toEqual(['直播组专员', '直播组主管', '吴经理']);
  });

  it('is used only by the local channel and only when the config lists nobody', () => {
    expect(effectiveStaff(config({})).map((s) => s.id)).toContain('demo.service.agent');
    expect(effectiveStaff(config({ SLACK_BOT_TOKEN: 'x' }))).toEqual([]);
    expect(effectiveStaff(config({ HOST: '0.0.0.0' }))).toEqual([]);
  });

  it('is listed team by team, agents first, people without a team last', () => {
    const s = (id: string, role: Staff['role'], team: string | null) => ({ id, name: id, role, team }) as Staff;
    const sorted = sortStaff([s('m', 'manager', null), s('fs', 'supervisor', 'finance'), s('sa', 'agent', 'service'), s('x', 'agent', 'other'), s('fa', 'agent', 'finance')], ['service', 'finance']);
    expect(sorted.map((p) => p.id)).toEqual(['sa', 'fa', 'fs', 'x', 'm']);
  });
});

describe('HTML for the local page', () => {
  const input = (remark: string, assigneeName = '张三'): ExceptionCardInput => ({
    exception: {
      id: 7, type: 'vague_address', severity: 'warning', reasons: [{ key: 'reason.vague_address.landmark', params: { landmark: '小区门口' } }], status: 'claimed', escalationLevel: 0, version: 2,
      claimedAt: new Date('2026-01-08T12:05:00Z'), resolvedAt: null, resolution: null,
      claimDueAt: new Date('2026-01-08T13:00:00Z'), resolveDueAt: new Date('2026-01-08T13:30:00Z'),
    },
    order: {
      source: 'generic', externalId: 'DY-<1>', channel: 'douyin', shop: 'home', createdAt: '2026-01-08T20:01:02+08:00', status: 'paid',
      buyer: { name: '<b>王五</b>', phone: '13812345678' }, address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '小区门口' },
      items: [{ sku: 'LAMP-01"><script>', qty: 1, name: "it's" }], total: '599.00', paid: '599.00', currency: 'CNY',
      remark, presale: false, logistics: { intercepted: false }, tags: [],
    },
    assignee: { id: 'a', name: assigneeName, slackUserId: null, feishuOpenId: null },
  });
  const opts = { locale: 'zh-CN' as const, timezone: 'Asia/Shanghai', now: new Date('2026-01-08T12:30:00Z') };
  const row = (remark: string, assigneeName?: string) => ({
    id: 5, channel: 'service', cardKey: 'exception:7', card: buildExceptionCard(input(remark, assigneeName)), notes: [], rev: 1, updatedAt: new Date(),
  });

  it('escapes &, <, >, quotes and apostrophes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('renders a card whose every buyer-supplied string is inert HTML', () => {
    const v = cardView(row('<img src=x onerror=alert(1)>', '<script>alert(2)</script>'), opts);
    const html = JSON.stringify(v.texts);
    expect(html).not.toMatch(/<img|<script|<b>王/);
    const remark = v.texts.fields.find((f) => f.key === 'remark')!.value;
    expect(remark).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(v.texts.title).toBe('地址模糊 · 订单 DY-&lt;1&gt;');
    expect(v.texts.status).toContain('<b>&lt;script&gt;alert(2)&lt;/script&gt;</b>');
    expect(v.texts.fields.find((f) => f.key === 'items')!.value).toContain('LAMP-01&quot;&gt;&lt;script&gt;');
    expect(v).toMatchObject({ id: 5, kind: 'exception', exceptionId: 7, orderId: 'DY-<1>', version: 2, status: 'claimed', done: false });
  });

  it('shows a card stored by an older version as a placeholder instead of failing the page', () => {
    const broken = { ...row('x'), card: { kind: 'exception', key: 'exception:7', version: 1, status: 'open' } as never };
    const v = cardView(broken, opts);
    expect(v.texts.buttons).toEqual([]);
    expect(v.texts.status).toContain('旧版本');
  });

  it('escapes notice variables but keeps the template, and has a plain-text twin', () => {
    const notice = { key: 'notice.already_claimed', vars: { orderId: '<o>', by: '"李四"' } };
    expect(noticeHtml(notice, 'zh-CN')).toBe('订单 &lt;o&gt; 的这个异常已被 &quot;李四&quot; 认领。');
    expect(noticeText(notice, 'zh-CN')).toBe('订单 <o> 的这个异常已被 "李四" 认领。');
  });

  it('has every page label in both languages', () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      const ui = uiStrings(locale);
      for (const [k, v] of Object.entries(ui)) expect({ k, ok: v.length > 0 && !v.startsWith('local.') }).toEqual({ k, ok: true });
    }
    expect(uiStrings('zh-CN').title).toBe('orderops 本地频道');
    expect(uiStrings('en').title).toBe('orderops local channel');
  });

  it('mentions a person by name, in bold, escaped', () => {
    expect(htmlFormat.mention({ id: 'x', name: '<i>A</i>', slackUserId: 'U1', feishuOpenId: null })).toBe('<b>&lt;i&gt;A&lt;/i&gt;</b>');
  });
});

describe('parseActionRequest', () => {
  it('accepts a well-formed claim and a fix with an address', () => {
    expect(parseActionRequest({ action: 'exception.claim', exceptionId: 3, version: 1, staff: 'zhang.san' })).toEqual({
      ok: true, value: { action: 'exception.claim', exceptionId: 3, version: 1, staff: 'zhang.san', address: undefined },
    });
    const fix = parseActionRequest({ action: 'exception.fix_address', exceptionId: 3, version: 1, staff: 's', address: { province: '浙江省', detail: 'x', city: null } });
    expect(fix).toEqual({ ok: true, value: expect.objectContaining({ address: { province: '浙江省', detail: 'x' } }) });
  });

  it('refuses ids beyond a database integer and overlong address fields', () => {
    expect(parseActionRequest({ action: 'exception.claim', exceptionId: 2 ** 40, version: 1, staff: 's' })).toMatchObject({ ok: false });
    expect(parseActionRequest({ action: 'exception.fix_address', exceptionId: 1, version: 1, staff: 's', address: { detail: 'x'.repeat(501) } })).toMatchObject({
      ok: false, message: expect.stringContaining('address.detail'),
    });
  });
});
