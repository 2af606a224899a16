/**
 * One priority for every queue (digests, backlog cards, the read API, claim-next): higher first,
 * ties broken by the ship-by deadline (earliest first). Points, documented in the README:
 *   an open critical exception 40 · ship-by breached 30 (in the warning window 20) · VIP 20 · urgent 10
 */
import type { SignalFinding } from './detect';

export interface PriorityInput {
  tags: string[];
  /** Severities of the order's open exceptions (rules and signals alike). */
  openSeverities: string[];
  shipOverdue?: SignalFinding['step'];
}

export const PRIORITY_POINTS = { critical: 40, breach: 30, warning: 20, vip: 20, urgent: 10 } as const;

export function computePriority(p: PriorityInput): number {
  let score = 0;
  if (p.openSeverities.includes('critical')) score += PRIORITY_POINTS.critical;
  if (p.shipOverdue === 'breach') score += PRIORITY_POINTS.breach;
  else if (p.shipOverdue === 'warning') score += PRIORITY_POINTS.warning;
  if (p.tags.includes('vip')) score += PRIORITY_POINTS.vip;
  if (p.tags.includes('urgent')) score += PRIORITY_POINTS.urgent;
  return score;
}
