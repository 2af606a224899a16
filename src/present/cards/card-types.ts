import type { ExceptionCard, StaffRef } from '../../domain/cards/exception-card';
import type { ExceptionActionId } from '../../domain/exceptions/exception';
import type { CardDecisionAction } from '../../domain/inventory/price-change';
import type { Locale } from '../i18n';

/**
 * A button that decides on a whole card: the price card's (approve, reject, retry, push now), the
 * report's 推送主数据 per deviation, or offering a handoff's claims (`handoff.offer`, value.requestId =
 * the handoff id).
 */
export type DecisionActionId = CardDecisionAction | 'handoff.offer';

/** How one platform writes text: escaping for its markup and mentioning a staff member. */
export interface PlatformFormat {
  /** Make untrusted text inert in this platform's markup (no mentions, no links). */
  escape(text: string): string;
  /** A real mention where the platform knows the person, else their escaped name. */
  mention(staff: StaffRef): string;
}

export interface RenderOptions {
  locale: Locale;
  timezone: string;
  now?: Date;
}

export interface CardButton {
  action: ExceptionActionId;
  label: string;
  style: 'primary' | 'danger' | 'default';
  /** Ask before acting (escalate notifies people). */
  confirm?: { title: string; text: string; ok: string; cancel: string };
}

/** Every string of an exception card, already escaped for one platform; renderers only lay it out. */
export interface CardTexts {
  title: string;
  severity: ExceptionCard['severity'];
  severityLabel: string;
  status: string;
  overdue: boolean;
  fields: { key: string; label: string; value: string }[];
  buttons: CardButton[];
  /**
   * Price approval buttons (price.approve / price.reject). A click must send back `value` with the
   * action id; the front calls decidePriceChange (see actions/inventory/price-changes.ts).
   */
  decisionButtons?: { action: DecisionActionId; label: string; style: CardButton['style']; value: { requestId: number; version: number } }[];
  /** Link buttons (the consistency report's "list more" → its CSV). */
  links?: { label: string; url: string }[];
}
