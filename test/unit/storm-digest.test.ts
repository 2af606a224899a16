import { DEFAULT_STORM, decideCardMode, digestIsQuiet, releaseBudget, type DigestCard } from '../../src/domain/cards/digest-card';
import { cardTexts, type PlatformFormat } from '../../src/present/cards/card-texts';
import { parseSettings } from '../../src/config/load-file';

describe('storm policy (pure)', () => {
  it('gives single cards until the window has max_cards, then digest lines', () => {
    expect(decideCardMode(DEFAULT_STORM, 0)).toBe('card');
    expect(decideCardMode(DEFAULT_STORM, DEFAULT_STORM.maxCards - 1)).toBe('card');
    expect(decideCardMode(DEFAULT_STORM, DEFAULT_STORM.maxCards)).toBe('digest');
    expect(decideCardMode({ ...DEFAULT_STORM, enabled: false }, 10_000)).toBe('card');
  });

  it('releases members only into the unused slots of the window', () => {
    expect(releaseBudget(DEFAULT_STORM, 0)).toBe(DEFAULT_STORM.maxCards);
    expect(releaseBudget(DEFAULT_STORM, 15)).toBe(DEFAULT_STORM.maxCards - 15);
    expect(releaseBudget(DEFAULT_STORM, 99)).toBe(0);
    expect(releaseBudget({ ...DEFAULT_STORM, releaseAfter: false }, 0)).toBe(0);
  });

  it('calls a storm over after quiet_seconds without a new member', () => {
    const last = new Date('2026-01-08T12:00:00Z');
    expect(digestIsQuiet(DEFAULT_STORM, last, new Date('2026-01-08T12:01:59Z'))).toBe(false);
    expect(digestIsQuiet(DEFAULT_STORM, last, new Date('2026-01-08T12:02:00Z'))).toBe(true);
  });

  it('reads storm: from orderops.yml and refuses nonsense with the key named', () => {
    expect(parseSettings('storm: { max_cards: 5, quiet_seconds: 30 }').storm).toEqual({ ...DEFAULT_STORM, maxCards: 5, quietSeconds: 30 });
    expect(() => parseSettings('storm: { max_cards: 0 }')).toThrow(/storm\.max_cards/);
    expect(() => parseSettings('storm: { maxcards: 5 }')).toThrow(/storm/);
  });
});

describe('digest card texts', () => {
  const fmt: PlatformFormat = { escape: (s) => s.replace(/</g, '&lt;'), mention: (s) => s.name };
  const card: DigestCard = {
    kind: 'digest', key: 'digest:7', alertId: 7, version: 3, team: 'service', type: 'vague_address', status: 'open',
    members: 42, unresolved: 40, unclaimed: 38, released: 0,
    newest: [
      { exceptionId: 9, source: 'douyin', externalId: 'DY-<b>9', shop: 'flagship', severity: 'warning', status: 'open', reasons: [{ key: 'reason.text', params: { text: '地址模糊' } }], at: '2026-01-08T12:00:30Z' },
      { exceptionId: 8, source: 'douyin', externalId: 'DY-8', shop: '', severity: 'warning', status: 'resolved', reasons: [{ key: 'reason.text', params: { text: '地址模糊' } }], at: '2026-01-08T12:00:20Z' },
    ],
    openedAt: '2026-01-08T12:00:00Z', lastJoinedAt: '2026-01-08T12:00:30Z', clearedAt: null, releaseAfter: true,
  };
  const opts = { locale: 'en' as const, timezone: 'Asia/Shanghai', now: new Date('2026-01-08T12:01:00Z') };

  it('counts, lists the newest escaped, and marks resolved lines', () => {
    const t = cardTexts(card, opts, fmt);
    expect(t.title).toContain('42');
    expect(t.status).toContain('38 unclaimed');
    const newest = t.fields.find((f) => f.key === 'newest')!;
    expect(newest.label).toBe('Newest 2 of 42');
    expect(newest.value.split('\n')).toHaveLength(2);
    expect(newest.value).toContain('DY-&lt;b>9');
    expect(newest.value.split('\n')[1]).toMatch(/^✅ DY-8/);
    expect(t.buttons).toEqual([]);
  });

  it('says how many still wait for a card of their own once the storm is over (zh-CN)', () => {
    const over = { ...card, status: 'cleared' as const, clearedAt: '2026-01-08T12:05:00Z', unresolved: 10, released: 4 };
    const t = cardTexts(over, { ...opts, locale: 'zh-CN' }, fmt);
    expect(t.status).toContain('还有 6 条将逐张补发卡片');
    expect(t.severity).toBe('warning');
    expect(cardTexts({ ...over, unresolved: 4 }, opts, fmt).severity).toBe('info');
  });
});
