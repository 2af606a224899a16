export type StaffRole = 'agent' | 'supervisor' | 'manager' | 'admin';
export type ChatPlatform = 'slack' | 'feishu' | 'local';

const RANK: Record<StaffRole, number> = { agent: 0, supervisor: 1, manager: 2, admin: 3 };

/** A staff member as the actions see them (from the staff table, synced from config). */
export interface Staff {
  id: string;
  name: string;
  role: StaffRole;
  team: string | null;
  slackUserId: string | null;
  feishuOpenId: string | null;
  email: string | null;
  phone: string | null;
}

/** Whoever clicked or typed, as the chat platform identifies them. */
export interface ChatUser {
  platform: ChatPlatform;
  /** Slack user id, Feishu open_id, or the local channel's staff id. */
  userId: string;
  /** Display name the platform gave, for messages to unknown users. */
  name?: string;
}

export function atLeast(staff: Pick<Staff, 'role'>, min: StaffRole): boolean {
  return RANK[staff.role] >= RANK[min];
}
