import type { MessageRef } from '../message';

/** One order as `/order` shows it: status, its exceptions and the latest of its timeline. */
export interface LookupOrder {
  id: number;
  source: string;
  externalId: string;
  status: string;
  stage: string;
  total: string;
  currency: string;
  receivedAt: Date;
  exceptions: { type: string; status: string; reasons: MessageRef[]; assignee: string | null }[];
  timeline: { at: Date; text: string }[];
}

/** What a lookup found, for src/present/lookup-text.ts to put into words. */
export type LookupResult =
  | { kind: 'usage' }
  /** The asker is not an active staff member: nothing was looked up. */
  | { kind: 'not_staff' }
  | { kind: 'not_found'; query: string }
  /** `released`: digest lines of the order that were given cards of their own by this lookup. */
  | { kind: 'found'; total: number; orders: LookupOrder[]; released?: number };
