import { neutralise } from '../present/neutralise';
import { readFileSync } from 'node:fs';
import { classify } from '../domain/orders/classify';
import type { Settings } from '../config/settings';
import { parseGenericOrder } from '../integrations/platforms/generic/generic-order';
import { renderMessage, renderReasons } from '../present/i18n/message';

/**
 * `orderops rules test <order.json> [--stock SKU=n …]`: which rules fire on a sample order, and why.
 * Returns the text to print and whether the order was valid. The trace is in the configured locale.
 */
export function rulesTest(file: string, settings: Settings, stockArgs: string[], now = new Date()): { ok: boolean; text: string } {
  let payload: unknown;
  try {
    payload = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { ok: false, text: `cannot read ${file} as JSON: ${(e as Error).message}` };
  }
  const stock = new Map<string, number>();
  for (const s of stockArgs) {
    const m = /^(.+)=(\d+)$/.exec(s);
    if (!m) return { ok: false, text: `--stock expects SKU=number, got "${s}"` };
    stock.set(m[1]!, Number(m[2]));
  }
  const list = Array.isArray(payload) ? payload : [payload];
  const out: string[] = [];
  const { locale } = settings;
  let ok = true;
  list.forEach((raw, i) => {
    const parsed = parseGenericOrder(raw);
    const label = `order ${(raw as { id?: unknown })?.id ?? `#${i}`}`;
    if (!parsed.ok) {
      ok = false;
      out.push(`${label}: invalid — ${parsed.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
      return;
    }
    const c = classify(parsed.order, settings.rules, { now: now.toISOString(), stock: stock.size > 0 ? stock : undefined });
    out.push(`${label}`);
    out.push(`  tags: ${c.tags.join(', ') || '(none)'}   priority: ${c.priority}   ${c.autoApproved ? 'AUTO-APPROVED' : 'HELD for people'}`);
    for (const t of c.trace) out.push(`  ${t.fired ? '✔ fired' : '· no   '}  ${t.rule.padEnd(28)} ${renderMessage(locale, t.detail)}`);
    for (const e of c.exceptions) {
      out.push(`  → exception ${e.type} (${e.severity}) to team ${e.team}, claim in ${e.claimMinutes} min, resolve in ${e.resolveMinutes} min: ${renderReasons(locale, e.reasons)}`);
    }
  });
  // Reasons quote the buyer's remark and address: no bidi tricks or escape sequences in a terminal.
  return { ok, text: neutralise(out.join('\n')) };
}
