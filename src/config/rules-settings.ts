import { DEFAULT_RULES } from '../domain/orders/default-rules';
import type { RulesConfig } from '../domain/orders/rules-types';
import type { FileConfig } from './schema';

/** rules: the built-in rules of the source article, overridden key by key. */
export function toRules(r: NonNullable<FileConfig['rules']> = {}): RulesConfig {
  const d = DEFAULT_RULES;
  const routes: RulesConfig['routes'] = { ...d.routes };
  for (const [type, v] of Object.entries(r.routes ?? {})) {
    const base = d.routes[type] ?? d.routes.default!;
    routes[type] = {
      team: v.team,
      severity: v.severity ?? base.severity,
      claimMinutes: v.claim_minutes ?? base.claimMinutes,
      resolveMinutes: v.resolve_minutes ?? base.resolveMinutes,
      clock: v.clock ?? base.clock ?? 'wall',
    };
  }
  return {
    tags: {
      vip: {
        buyerFlag: r.tags?.vip?.buyer_flag ?? d.tags.vip.buyerFlag,
        minTotal: r.tags?.vip?.min_total !== undefined ? r.tags.vip.min_total : d.tags.vip.minTotal,
      },
      presale: { enabled: r.tags?.presale?.enabled ?? d.tags.presale.enabled },
      urgent: r.tags?.urgent
        ? { type: 'urgent', keywords: r.tags.urgent.keywords, exclude: r.tags.urgent.exclude ?? [] }
        : d.tags.urgent,
    },
    vagueAddress: {
      enabled: r.vague_address?.enabled ?? d.vagueAddress.enabled,
      landmarks: r.vague_address?.landmarks ?? d.vagueAddress.landmarks,
      relativeLandmarks: r.vague_address?.relative_landmarks ?? d.vagueAddress.relativeLandmarks,
      requireHouseNumber: r.vague_address?.require_house_number ?? d.vagueAddress.requireHouseNumber,
      minDetailLength: r.vague_address?.min_detail_length ?? d.vagueAddress.minDetailLength,
      checkDivisions: r.vague_address?.check_divisions ?? d.vagueAddress.checkDivisions,
    },
    payment: { enabled: r.payment?.enabled ?? d.payment.enabled },
    remarkKeywords: r.remark_keywords ?? d.remarkKeywords,
    logistics: { enabled: r.logistics?.enabled ?? d.logistics.enabled },
    stock: { enabled: r.stock?.enabled ?? d.stock.enabled },
    review: {
      amountAtLeast:
        r.review?.amount_at_least !== undefined ? r.review.amount_at_least : d.review.amountAtLeast,
      regions: r.review?.regions ?? d.review.regions,
    },
    routes,
  };
}
