import { parseArgs } from 'node:util';
import type pg from 'pg';
import { readConfig, type AppConfig } from '../config';
import { createPool } from '../db/pool';
import { systemClock, type Clock } from '../domain/ports';
import type { ConsistencyCard } from '../domain/inventory/cards';
import { formatTime, t, type Locale } from '../present/i18n';
import type { PlatformFormat } from '../present/cards/card-texts';
import { reportLines } from '../present/cards/inventory-card-texts';
import { makeConsistencyReport } from '../actions/inventory/consistency-report';
import { reportOfDate } from '../db/inventory-report';
import { loadInventoryCard } from '../db/inventory-cards';

export const REPORT_HELP = `orderops report consistency [--date YYYY-MM-DD]

The multi-platform consistency report: per SKU and platform, stock and price against the master
record, the consistency rate against the goal, counts by platform and the worst deviations.
  (no --date)   compare now and store the report (the same as the daily 09:00 card)
  --date D      print the report stored for day D (the scheduled one, else the newest)`;

/** Plain text: nothing to escape, a mention is the person's name. */
const plainFormat: PlatformFormat = { escape: (s) => s, mention: (s) => `@${s.name}` };

/** The report as text, with the same lines as its card. */
export function reportText(card: ConsistencyCard, meta: { trigger: string; generatedAt: string; timezone: string }, locale: Locale): string {
  const { status, fields } = reportLines(card, locale, plainFormat);
  const lines = [
    t(locale, 'inventory.report.title', { date: card.date }),
    t(locale, 'inventory.report.cli.generated', { time: formatTime(meta.generatedAt, meta.timezone, locale, new Date(0)), trigger: meta.trigger, id: card.reportId }),
    status,
  ];
  const sep = locale === 'en' ? ': ' : '：';
  for (const f of fields) {
    const multi = f.value.includes('\n');
    lines.push(multi ? `${f.label}${sep.trim()}\n${f.value.split('\n').map((l) => `  ${l}`).join('\n')}` : `${f.label}${sep}${f.value}`);
  }
  return lines.join('\n');
}

/** Make (or, with a date, read) a report and return it as text; null when no report exists for the date. */
export async function consistencyReportText(deps: { pool: pg.Pool; clock: Clock; config: AppConfig }, date?: string): Promise<string | null> {
  const inv = deps.config.settings.inventory;
  let id: number;
  if (date) {
    const r = await reportOfDate(deps.pool, date);
    if (!r) return null;
    id = r.id;
  } else {
    const r = await makeConsistencyReport({ pool: deps.pool, clock: deps.clock, inventory: inv, publicUrl: deps.config.publicUrl, apiToken: deps.config.apiToken }, { trigger: 'cli' });
    id = r.report.id;
  }
  const loaded = await loadInventoryCard(deps.pool, 'consistency', id);
  if (!loaded || loaded.card.kind !== 'consistency') return null;
  const { rows } = await deps.pool.query<{ trigger: string; generated_at: Date; timezone: string }>('SELECT trigger, generated_at, timezone FROM consistency_reports WHERE id = $1', [id]);
  const meta = rows[0]!;
  return reportText(loaded.card, { trigger: meta.trigger, generatedAt: meta.generated_at.toISOString(), timezone: meta.timezone }, deps.config.settings.locale);
}

/** `orderops report consistency [--date YYYY-MM-DD]`. */
export async function reportConsistencyCommand(argv: string[], env: NodeJS.ProcessEnv = process.env, out = (l: string) => console.log(l), err = (l: string) => console.error(l)): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { date: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (e) {
    err(`${(e as Error).message}\n\n${REPORT_HELP}`);
    return 2;
  }
  if (parsed.values.help) {
    out(REPORT_HELP);
    return 0;
  }
  const date = parsed.values.date;
  if (date !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)))) {
    err(`--date must be a day like 2026-01-08, got "${date}"`);
    return 2;
  }
  const config = readConfig(env);
  const pool = createPool(config.databaseUrl, 2);
  try {
    const text = await consistencyReportText({ pool, clock: systemClock, config }, date);
    if (text === null) {
      err(t(config.settings.locale, 'inventory.report.cli.none', { date: date ?? '' }));
      return 1;
    }
    out(text);
    return 0;
  } finally {
    await pool.end();
  }
}
