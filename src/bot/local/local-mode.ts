import type { AppConfig, StaffMember } from '../../config';
import { demoStaff } from './demo-staff';

export type LocalMode =
  | { serve: true; demoStaff: boolean }
  | { serve: false; why?: string };

/** 127.0.0.0/8, ::1 and localhost: only this machine can reach the server. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Whether this process serves the local channel. The page lets whoever opens it act as any staff
 * member, so off loopback it is served only when asked for explicitly (ORDEROPS_LOCAL_CHANNEL=1),
 * e.g. behind an authenticating proxy.
 */
export function localChannelMode(config: AppConfig): LocalMode {
  const sw = config.local;
  if (!sw.enabled) return { serve: false };
  if (!isLoopbackHost(config.host) && !sw.forced) {
    return {
      serve: false,
      why: `local channel is off: HOST=${config.host} is not a loopback address, and the local page lets anyone who reaches it act as any staff member. Keep HOST=127.0.0.1, or set ORDEROPS_LOCAL_CHANNEL=1 to serve it anyway (put it behind an authenticating proxy).`,
    };
  }
  return { serve: true, demoStaff: config.settings.staff.length === 0 };
}

/**
 * The staff list the bot runs with: the configured one, or — only when the local channel is
 * served and orderops.yml lists nobody — the built-in demo staff, so a newcomer can try every
 * button (claims, approvals, escalation DMs) without writing a config first.
 */
export function effectiveStaff(config: AppConfig): StaffMember[] {
  const mode = localChannelMode(config);
  return mode.serve && mode.demoStaff ? demoStaff(config.settings.teams) : config.settings.staff;
}
