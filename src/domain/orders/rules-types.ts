import type { MessageRef } from '../message';
import type { SlaClock } from '../sla/due';

/**
 * The rule set's shape as the pure rule engine sees it (already validated and defaulted by config).
 * Money thresholds are decimal strings, like order amounts.
 */
export type Severity = 'info' | 'warning' | 'critical';

export interface KeywordGroup {
  /** Exception type raised when a keyword matches, e.g. `remark_invoice`. */
  type: string;
  keywords: string[];
  /** Phrases that cancel a match, e.g. 不急 for 急, 不要发票 for 发票. */
  exclude: string[];
}

export interface ExceptionRoute {
  team: string;
  severity: Severity;
  /** Minutes until an unclaimed exception escalates to the team's supervisor. */
  claimMinutes: number;
  /** Minutes until an unresolved exception escalates to the manager. */
  resolveMinutes: number;
  /** How the minutes are counted: round the clock (`wall`, the default) or in the team's working time. */
  clock?: SlaClock;
}

export interface RulesConfig {
  tags: {
    vip: { buyerFlag: boolean; minTotal: string | null };
    presale: { enabled: boolean };
    urgent: KeywordGroup;
  };
  vagueAddress: {
    enabled: boolean;
    /** Landmark / relative-place words that make a detail vague: 小区门口, 驿站, 附近, 对面 … */
    landmarks: string[];
    /**
     * Of the landmarks, the relative ones (附近, 对面, 旁边) that stay vague even beside a house number;
     * the others (门口, 驿站 …) are vague only without one. Optional: classify falls back to 附近/对面/旁边.
     */
    relativeLandmarks?: string[];
    requireHouseNumber: boolean;
    minDetailLength: number;
    /** Check province/city/district against GB/T 2260 divisions. */
    checkDivisions: boolean;
  };
  payment: { enabled: boolean };
  remarkKeywords: KeywordGroup[];
  logistics: { enabled: boolean };
  stock: { enabled: boolean };
  review: { amountAtLeast: string | null; regions: string[] };
  /** Exception type → team, severity and SLA. `default` applies to any type not listed. */
  routes: Record<string, ExceptionRoute>;
}

export interface DetectedException {
  type: string;
  /** The rule that fired, e.g. `vague_address.landmark`. */
  rule: string;
  /**
   * Why, as message keys (one per sub-rule that fired), rendered per locale by src/present:
   * e.g. `[{ key: 'reason.vague_address.landmark', params: { landmark: '小区门口' } }]`.
   */
  reasons: MessageRef[];
  team: string;
  severity: Severity;
  claimMinutes: number;
  resolveMinutes: number;
  clock?: SlaClock;
}

export interface RuleTrace {
  rule: string;
  fired: boolean;
  /** Why it fired or not, as a message key (rendered by `orderops rules test`). */
  detail: MessageRef;
}

export interface Classification {
  tags: string[];
  /** Higher first: VIP and urgent orders sort to the top of queues. */
  priority: number;
  exceptions: DetectedException[];
  autoApproved: boolean;
  trace: RuleTrace[];
}

export interface ClassifyContext {
  /** ISO time of processing; used for presale balance deadlines. */
  now: string;
  /** Available stock per SKU when known; SKUs missing from the map are not checked. */
  stock?: ReadonlyMap<string, number>;
}
