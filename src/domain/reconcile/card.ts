/**
 * The reconcile card: one per run that found something (orders missing, or a page it could not
 * read), posted once and updated in place — when a later failing run is folded into it, and when a
 * later complete run covers what it could not finish. A quiet, complete run posts nothing.
 */
export interface ReconcileCard {
  kind: 'reconcile';
  /** reconcile:<runId> */
  key: string;
  /** The run id (renderers show it as #12). */
  alertId: number;
  version: number;
  /** open: the run could not prove the set complete; recovered: complete, with missing orders stored; cleared: a later run completed it. */
  status: 'open' | 'recovered' | 'cleared';
  shopId: string;
  shopName: string;
  source: string;
  since: string;
  until: string;
  platformCount: number;
  hadBefore: number;
  ingested: number;
  updated: number;
  pages: number;
  failedPages: number;
  itemErrors: number;
  /** The first few recovered order ids. */
  recovered: string[];
  /** The first few problems (platform error codes and messages, untrusted text). */
  problems: string[];
  /** Where the unfinished part starts; null when complete or when re-reading would not help. */
  resumeFrom: string | null;
  /** Runs that failed the same way, this one included (later ones are folded into this card). */
  attempts: number;
  lastError: string | null;
  startedAt: string;
  finishedAt: string | null;
  clearedAt: string | null;
  clearedBy: number | null;
}

export const reconcileCardKey = (runId: number): string => `reconcile:${runId}`;

export type CardDecision =
  | { kind: 'none' }
  | { kind: 'post'; status: 'open' | 'recovered' }
  /** A failing run that recovered nothing updates the shop's open card instead of posting another. */
  | { kind: 'fold'; into: number };

/**
 * What a finished run does in chat: quiet and complete → nothing; complete with orders recovered →
 * its own card; incomplete → its own card, unless it recovered nothing and the shop already has an
 * open card (an outage then updates one card instead of posting one every interval). A run that only
 * ran out of its page budget failed nothing: the next run carries on, so it speaks like a complete one.
 */
export function cardDecision(r: { dryRun: boolean; complete: boolean; budgetOnly?: boolean; ingested: number; openCardRunId: number | null }): CardDecision {
  if (r.dryRun) return { kind: 'none' };
  if (r.complete || r.budgetOnly) return r.ingested > 0 ? { kind: 'post', status: 'recovered' } : { kind: 'none' };
  if (r.ingested === 0 && r.openCardRunId !== null) return { kind: 'fold', into: r.openCardRunId };
  return { kind: 'post', status: 'open' };
}
