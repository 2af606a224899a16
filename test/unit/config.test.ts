import { join } from 'node:path';
import { readConfig } from '../../src/config';
import { loadSettings, parseSettings, type ConfigProblem } from '../../src/config/load-file';
import { DEFAULT_TEAMS, type Settings } from '../../src/config/settings';
import { ErrorCode, OrderopsError } from '../../src/domain/errors';
import { classify } from '../../src/domain/orders/classify';
import { DEFAULT_RULES } from '../../src/domain/orders/default-rules';
import type { Order } from '../../src/domain/orders/order';

const EXAMPLE = join(__dirname, '..', '..', 'orderops.example.yml');

/** The error parseSettings throws for `text`, as a file named test.yml. */
function configErrorOf(text: string): OrderopsError {
  try {
    parseSettings(text, 'test.yml');
  } catch (e) {
    expect(e).toBeInstanceOf(OrderopsError);
    return e as OrderopsError;
  }
  throw new Error(`expected test.yml to be refused:\n${text}`);
}

const y = (...lines: string[]) => lines.join('\n') + '\n';

describe('orderops.example.yml', () => {
  const example = loadSettings(EXAMPLE);
  const defaults = loadSettings(undefined);

  it('parses, and its rules are exactly the built-in defaults (the example cannot drift)', () => {
    expect(example.rules).toEqual(DEFAULT_RULES);
  });

  it('matches the built-in defaults everywhere except the sample staff it adds', () => {
    // calendar.people is derived from staff (their teams and own hours).
    expect({ ...example, staff: [], calendar: { ...example.calendar, people: {} } }).toEqual(defaults);
    expect(example.teams).toEqual(DEFAULT_TEAMS);
  });

  it('has a sample agent, supervisor and manager', () => {
    expect(example.staff.map((s) => s.role)).toEqual(expect.arrayContaining(['agent', 'supervisor', 'manager']));
    expect(example.staff.map((s) => s.id)).toContain('zhangsan');
  });

  it('is also what readConfig loads from ORDEROPS_CONFIG', () => {
    expect(readConfig({ ORDEROPS_CONFIG: EXAMPLE, USER: 'ops' }).settings).toEqual(example);
  });
});

describe('loadSettings without a file', () => {
  it.each([undefined, ''])('path %p gives the built-in defaults', (path) => {
    const s = loadSettings(path);
    expect(s.timezone).toBe('Asia/Shanghai');
    expect(s.locale).toBe('zh-CN');
    expect(s.intake).toEqual({ maxBatch: 500, maxConcurrentFlushes: 1, maxPending: 50_000 });
    expect(s.processing).toEqual({ concurrency: 8, sweepSeconds: 30 });
    expect(s.teams).toEqual(DEFAULT_TEAMS);
    expect(s.staff).toEqual([]);
    expect(s.rules).toEqual(DEFAULT_RULES);
  });

  it.each(['', '# only a comment\n', '{}\n'])('an empty file %p gives the built-in defaults', (text) => {
    expect(parseSettings(text)).toEqual(loadSettings(undefined));
  });

  it('a file that cannot be read is a config error naming the file', () => {
    const missing = join(__dirname, 'no-such-orderops.yml');
    expect(() => loadSettings(missing)).toThrow(
      expect.objectContaining({ code: ErrorCode.ConfigInvalid, message: expect.stringContaining(missing) }),
    );
  });
});

describe('invalid orderops.yml', () => {
  const STAFF_OK = ['  - id: zhangsan', '    name: 张三', '    role: agent', '    team: service'];

  it.each<[string, string, string, number]>([
    ['YAML syntax error (bad indentation)', y('timezone: Asia/Shanghai', 'intake:', '  max_batch: 10', ' max_pending: 100'), '(syntax)', 4],
    ['YAML syntax error (duplicate key)', y('intake:', '  max_batch: 10', '  max_batch: 20'), '(syntax)', 3],
    ['unknown top-level key (typo timezon)', y('locale: en', 'timezon: Asia/Shanghai'), 'timezon', 2],
    ['unknown top-level key with a block value', y('locale: en', '', 'intak:', '  max_batch: 10'), 'intak', 3],
    ['unknown nested key', y('rules:', '  vague_address:', '    enabled: true', '    landmark: [门口]'), 'rules.vague_address.landmark', 4],
    ['unknown nested key with a block value', y('rules:', '  tags:', '    presale:', '      enabled: true', '  vague_adress:', '    enabled: false'), 'rules.vague_adress', 5],
    ['wrong type (max_batch: "many")', y('locale: zh-CN', 'intake:', '  max_batch: "many"'), 'intake.max_batch', 3],
    ['number out of range', y('processing:', '  concurrency: 8', '  sweep_seconds: 1'), 'processing.sweep_seconds', 3],
    ['invalid time zone', y('locale: en', 'timezone: Mars/Olympus_Mons'), 'timezone', 2],
    ['invalid locale', y('locale: fr'), 'locale', 1],
    ['invalid money in review.amount_at_least', y('rules:', '  review:', '    regions: [西藏自治区]', '    amount_at_least: 3k'), 'rules.review.amount_at_least', 4],
    ['keyword group type not snake_case', y('rules:', '  remark_keywords:', '    - type: remark_forward', '      keywords: [转寄]', '    - type: Remark-Gift', '      keywords: [礼物]'), 'rules.remark_keywords.1.type', 5],
    ['keyword group with no keywords', y('rules:', '  remark_keywords:', '    - type: remark_gift', '      keywords: []'), 'rules.remark_keywords.0.keywords', 4],
    ['invalid route severity', y('rules:', '  routes:', '    payment:', '      team: finance', '      severity: urgent'), 'rules.routes.payment.severity', 5],
    ['route naming a team not under teams', y('rules:', '  routes:', '    stock_out:', '      team: warehouse', '    payment:', '      team: accounting'), 'rules.routes.payment.team', 6],
    ['staff with duplicate ids', y('staff:', ...STAFF_OK, '  - id: lisi', '    name: 李四', '    role: supervisor', '  - id: zhangsan', '    name: 张三二', '    role: agent'), 'staff.2.id', 9],
    ['staff with an unknown team', y('staff:', ...STAFF_OK, '  - id: lisi', '    name: 李四', '    role: agent', '    team: logistics'), 'staff.1.team', 9],
    ['staff with an invalid role', y('staff:', ...STAFF_OK, '  - id: lisi', '    name: 李四', '    role: boss'), 'staff.1.role', 8],
    ['staff with an invalid email', y('staff:', ...STAFF_OK, '    email: zhangsan-at-example.com'), 'staff.0.email', 6],
    ['staff with an invalid id', y('staff:', '  - id: zhang san', '    name: 张三', '    role: agent'), 'staff.0.id', 2],
    ['staff missing a required key (reported at the entry)', y('staff:', '  - id: zhangsan', '    role: agent'), 'staff.0.name', 2],
  ])('%s', (_name, text, key, line) => {
    const err = configErrorOf(text);
    expect(err.code).toBe(ErrorCode.ConfigInvalid);
    const problems = err.details as ConfigProblem[];
    expect(problems).toHaveLength(1);
    expect(problems[0]).toEqual({ key, line, message: expect.any(String) });
    // The message names file:line and the key, and says what to do next.
    expect(err.message).toContain(`test.yml:${line} ${key}: ${problems[0]!.message}`);
    expect(err.message).toContain('orderops.example.yml');
  });

  it('an unknown key suggests checking the spelling against the example', () => {
    const [p] = configErrorOf(y('timezon: Asia/Shanghai')).details as ConfigProblem[];
    expect(p!.message).toBe('unknown key "timezon" (check the spelling against orderops.example.yml)');
  });

  it('teams missing a team the built-in routes use: one problem per route, at the teams: line', () => {
    const err = configErrorOf(y('locale: zh-CN', 'teams:', '  service:', '    name: 客服组'));
    expect(err.code).toBe(ErrorCode.ConfigInvalid);
    const problems = err.details as ConfigProblem[];
    expect(problems.map((p) => [p.key, p.line])).toEqual(Array(8).fill(['teams', 2]));
    expect(problems.map((p) => p.message)).toEqual(
      ['payment', 'remark_invoice', 'logistics_intercepted', 'stock_out', 'review', 'ship_overdue', 'refund_pending', 'pickup_overdue'].map((type) =>
        expect.stringContaining(`override rules.routes.${type}`),
      ),
    );
    expect(err.message).toContain('test.yml:2 teams: the built-in route for "stock_out" uses team "warehouse", which is missing');
  });

  it('reports every problem at once, each with its own line', () => {
    const err = configErrorOf(y('timezone: Nowhere/City', 'intake:', '  max_batch: 0', 'locale: de'));
    const problems = [...(err.details as ConfigProblem[])].sort((a, b) => a.line! - b.line!);
    expect(problems.map((p) => [p.key, p.line])).toEqual([
      ['timezone', 1],
      ['intake.max_batch', 3],
      ['locale', 4],
    ]);
  });
});

describe('overrides', () => {
  it('routes merge per type: overriding one type keeps the others', () => {
    const s = parseSettings(y('rules:', '  routes:', '    payment:', '      team: service', '      claim_minutes: 10'));
    expect(s.rules.routes.payment).toEqual({ team: 'service', severity: 'warning', claimMinutes: 10, resolveMinutes: 60, clock: 'wall' });
    const { payment: _p, ...others } = s.rules.routes;
    const { payment: _d, ...defaultOthers } = DEFAULT_RULES.routes;
    expect(others).toEqual(defaultOthers);
  });

  it('a route for a new type takes the default route\'s severity and SLA', () => {
    const s = parseSettings(y('rules:', '  routes:', '    remark_gift:', '      team: service', '      resolve_minutes: 120'));
    expect(s.rules.routes.remark_gift).toEqual({ team: 'service', severity: 'warning', claimMinutes: 30, resolveMinutes: 120, clock: 'wall' });
    expect(Object.keys(s.rules.routes)).toHaveLength(Object.keys(DEFAULT_RULES.routes).length + 1);
  });

  it('remark_keywords replaces the list', () => {
    const s = parseSettings(y('rules:', '  remark_keywords:', '    - type: remark_gift', '      keywords: [礼物, 贺卡]'));
    expect(s.rules.remarkKeywords).toEqual([{ type: 'remark_gift', keywords: ['礼物', '贺卡'], exclude: [] }]);
  });

  it.each<[string, string, (s: Settings) => string[], string[]]>([
    ['vague_address.landmarks', y('rules:', '  vague_address:', '    landmarks: [驿站]'), (s) => s.rules.vagueAddress.landmarks, ['驿站']],
    ['review.regions', y('rules:', '  review:', '    regions: []'), (s) => s.rules.review.regions, []],
    ['tags.urgent.keywords', y('rules:', '  tags:', '    urgent:', '      keywords: [加急]'), (s) => s.rules.tags.urgent.keywords, ['加急']],
  ])('a list (%s) replaces the default list', (_key, text, pick, list) => {
    expect(pick(parseSettings(text))).toEqual(list);
  });

  it('review.amount_at_least: null disables the amount review (regions stay)', () => {
    const s = parseSettings(y('rules:', '  review:', '    amount_at_least: null'));
    expect(s.rules.review).toEqual({ amountAtLeast: null, regions: DEFAULT_RULES.review.regions });
    const big: Order = {
      source: 'generic',
      externalId: 'BIG-1',
      channel: 'generic',
      createdAt: '2026-01-08T20:01:02+08:00',
      status: 'paid',
      buyer: { name: '王五', phone: '13812345678', vip: false },
      address: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路90号3幢501室' },
      items: [{ sku: 'TV-01', qty: 1, price: '9999.00' }],
      total: '9999.00',
      paid: '9999.00',
      currency: 'CNY',
      presale: false,
      logistics: { intercepted: false },
    };
    const ctx = { now: '2026-01-09T10:00:00+08:00' };
    expect(classify(big, DEFAULT_RULES, ctx).exceptions.map((e) => e.type)).toEqual(['review']);
    expect(classify(big, s.rules, ctx).exceptions).toEqual([]);
    expect(classify(big, s.rules, ctx).autoApproved).toBe(true);
  });

  it.each<[string, string]>([
    ['"2999.50"', '2999.50'],
    ['2999.50', '2999.5'], // an unquoted YAML number loses its trailing zero; the amount is the same
    ['5000', '5000'],
    ['"1200.5"', '1200.5'],
  ])('amount_at_least %s is kept as the decimal string %p', (yamlValue, expected) => {
    expect(parseSettings(y('rules:', '  review:', `    amount_at_least: ${yamlValue}`)).rules.review.amountAtLeast).toBe(expected);
  });

  it('scalars override their defaults and leave the rest alone', () => {
    const s = parseSettings(y('timezone: Europe/Berlin', 'locale: en', 'intake:', '  max_batch: 100'));
    expect(s.timezone).toBe('Europe/Berlin');
    expect(s.locale).toBe('en');
    expect(s.intake).toEqual({ maxBatch: 100, maxConcurrentFlushes: 1, maxPending: 50_000 });
    expect(s.rules).toEqual(DEFAULT_RULES);
  });
});

describe('readConfig(env)', () => {
  it('defaults PORT, DATABASE_URL (with the login user) and REDIS_URL', () => {
    const c = readConfig({ USER: 'ops' });
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.databaseUrl).toBe('postgres://ops@localhost:5432/orderops');
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.configPath).toBeUndefined();
    expect(c.settings).toEqual(loadSettings(undefined));
  });

  it.each<[string, NodeJS.ProcessEnv, string]>([
    ['no user: PGUSER is filled in', { DATABASE_URL: 'postgres://db.internal:5433/shop', PGUSER: 'pg', USER: 'ops' }, 'postgres://pg@db.internal:5433/shop'],
    ['no user: USER is filled in', { DATABASE_URL: 'postgresql://db.internal/shop', USER: 'ops' }, 'postgresql://ops@db.internal/shop'],
    ['a user is kept', { DATABASE_URL: 'postgres://app:s3cret@db:5432/shop', USER: 'ops' }, 'postgres://app:s3cret@db:5432/shop'],
    ['a ?user= parameter is kept', { DATABASE_URL: 'postgres://db/shop?user=app', USER: 'ops' }, 'postgres://db/shop?user=app'],
  ])('DATABASE_URL: %s', (_name, env, expected) => {
    expect(readConfig(env).databaseUrl).toBe(expected);
  });

  it('reads PORT and REDIS_URL', () => {
    const c = readConfig({ PORT: '8080', REDIS_URL: 'rediss://cache:6380/2', USER: 'ops' });
    expect(c.port).toBe(8080);
    expect(c.redisUrl).toBe('rediss://cache:6380/2');
  });

  it.each<[string, NodeJS.ProcessEnv, RegExp]>([
    ['PORT not a number', { PORT: 'abc' }, /PORT/],
    ['PORT too large', { PORT: '70000' }, /PORT/],
    ['PORT negative', { PORT: '-1' }, /PORT/],
    ['PORT fractional', { PORT: '80.5' }, /PORT/],
    ['non-postgres DATABASE_URL', { DATABASE_URL: 'mysql://localhost:3306/orderops' }, /DATABASE_URL must start with postgres: or postgresql:/],
    ['DATABASE_URL not a URL', { DATABASE_URL: 'localhost:5432/orderops' }, /DATABASE_URL/],
    ['non-redis REDIS_URL', { REDIS_URL: 'http://127.0.0.1:6379' }, /REDIS_URL must start with redis: or rediss:/],
    ['REDIS_URL not a URL', { REDIS_URL: '127.0.0.1:6379' }, /REDIS_URL/],
  ])('%s throws orderops_config_invalid', (_name, env, message) => {
    expect(() => readConfig({ USER: 'ops', ...env })).toThrow(
      expect.objectContaining({ code: ErrorCode.ConfigInvalid, message: expect.stringMatching(message) }),
    );
  });

  it('an invalid ORDEROPS_CONFIG file fails readConfig with the file\'s problems', () => {
    expect(() => readConfig({ USER: 'ops', ORDEROPS_CONFIG: join(__dirname, 'no-such-orderops.yml') })).toThrow(
      expect.objectContaining({ code: ErrorCode.ConfigInvalid }),
    );
  });
});
