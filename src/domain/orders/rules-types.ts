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
  /** Human-readable reason shown on the card, e.g. `地址仅有地标"小区门口"，无门牌号`. */
  reason: string;
  team: string;
  severity: Severity;
  claimMinutes: number;
  resolveMinutes: number;
  clock?: SlaClock;
}

export interface RuleTrace {
  rule: string;
  fired: boolean;
  detail: string;
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
