import type { Severity } from '../orders/rules-types';
import type { ChatPlatform, Staff } from '../staff';
import { nextWindowOpen, type TimeWindow } from './policy';

export type NotifyChannel = 'chat_dm' | 'card_mention' | 'email' | 'sms' | 'feishu_urgent';

export interface ChannelRules {
  email: { enabled: boolean; window: TimeWindow | null };
  sms: { enabled: boolean; window: TimeWindow | null; urgentIgnoresWindow: boolean };
  /** Feishu 加急 for level 2 where Feishu is in use. */
  feishuUrgent: boolean;
}

/** One notification to create (and deliver once); unrouted ones are recorded, never dropped. */
export interface PlannedNotification {
  channel: NotifyChannel;
  /** The platform for chat channels. */
  platform?: ChatPlatform;
  recipientId: string | null;
  /** Earliest delivery (a channel's window); undefined = now. */
  notBefore?: Date;
  unrouted?: string;
  /** Outside every shift, not critical: recorded, not sent; the next shift's handoff card summarises it. */
  heldUntil?: Date;
}

export interface PlanInput {
  level: 1 | 2;
  severity: Severity;
  team: string;
  /** Active staff who could be told: supervisors for level 1, managers for level 2. */
  recipients: Staff[];
  platforms: ChatPlatform[];
  rules: ChannelRules;
  timezone: string;
  now: Date;
  /** Outside every shift for a critical exception: level 1 rings too (Feishu 加急 where enabled). */
  page?: boolean;
  /** Outside every shift, not critical: hold every notification until the next shift opens. */
  holdUntil?: Date | null;
}

/**
 * Who is told what at an escalation. Level 1: the person on call (else the team's supervisors) is
 * mentioned on the card and gets a direct message (and, paged off shift, Feishu 加急). Level 2: managers get a direct message, an email and an SMS (Feishu 加急
 * too). A missing person, address or phone becomes an `unrouted` entry with the reason.
 */
export function planEscalation(p: PlanInput): PlannedNotification[] {
  const planned = plan(p);
  const hold = p.holdUntil;
  return hold ? planned.map((n) => (n.unrouted ? n : { ...n, heldUntil: hold })) : planned;
}

function plan(p: PlanInput): PlannedNotification[] {
  const out: PlannedNotification[] = [];
  const who = p.level === 1 ? 'supervisor' : 'manager';
  if (p.recipients.length === 0) {
    return [{ channel: 'chat_dm', recipientId: null, unrouted: `no ${who} for team ${p.team}` }];
  }
  if (p.level === 1) out.push({ channel: 'card_mention', recipientId: null });
  for (const r of p.recipients) {
    for (const platform of p.platforms) out.push({ channel: 'chat_dm', platform, recipientId: r.id });
    const ring = p.rules.feishuUrgent && p.platforms.includes('feishu') && r.feishuOpenId;
    if (p.level === 1) {
      if (p.page && ring) out.push({ channel: 'feishu_urgent', platform: 'feishu', recipientId: r.id });
      continue;
    }
    if (p.rules.feishuUrgent && p.platforms.includes('feishu') && r.feishuOpenId) {
      out.push({ channel: 'feishu_urgent', platform: 'feishu', recipientId: r.id });
    }
    if (p.rules.email.enabled) {
      out.push(r.email
        ? { channel: 'email', recipientId: r.id, notBefore: later(p.rules.email.window, p, false) }
        : { channel: 'email', recipientId: r.id, unrouted: `${r.name} has no email` });
    }
    if (p.rules.sms.enabled) {
      const urgent = p.severity === 'critical' && p.rules.sms.urgentIgnoresWindow;
      out.push(r.phone
        ? { channel: 'sms', recipientId: r.id, notBefore: later(p.rules.sms.window, p, urgent) }
        : { channel: 'sms', recipientId: r.id, unrouted: `${r.name} has no phone` });
    }
  }
  return out;
}

function later(window: TimeWindow | null, p: PlanInput, urgent: boolean): Date | undefined {
  if (urgent || !window) return undefined;
  const open = nextWindowOpen(window, p.timezone, p.now);
  return open.getTime() > p.now.getTime() ? open : undefined;
}
