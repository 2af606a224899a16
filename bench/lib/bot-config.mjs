// orderops.yml for bench runs: teams routed to stand-in Slack channels, staff with Slack ids, email
// and phone, and (for fault drills) SLAs of seconds so escalations fire during the run.
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { EXCEPTION_TYPES } from './storm.mjs';

const DEFAULT_TEAM_OF = {
  vague_address: 'service', payment: 'finance', remark_forward: 'service', remark_urgent: 'service', remark_invoice: 'finance',
  remark_address_change: 'service', logistics_intercepted: 'warehouse', stock_out: 'warehouse', review: 'review', default: 'service',
};

/** Staff: one supervisor per team (Slack id U0SUP<TEAM>), one manager for all teams. */
export function benchStaff(teams) {
  const staff = teams.map((t) => ({ id: `sup-${t}`, name: `Supervisor ${t}`, role: 'supervisor', team: t, slack: `U0SUP${t.toUpperCase()}` }));
  staff.push({ id: 'mgr', name: 'Manager', role: 'manager', slack: 'U0MGR', email: 'manager@example.com', phone: '+86 138 0000 0003' });
  return staff;
}

/**
 * @param {string} file
 * @param {object} o
 * @param {Record<string,string>} o.channels   team → Slack channel id
 * @param {{claim:number, resolve:number}} [o.slaMinutes]   override every route's SLA
 * @param {number} [o.sweepSeconds]
 */
export function writeBotConfig(file, { channels, slaMinutes, sweepSeconds, staff = [] }) {
  const teams = Object.fromEntries(Object.entries(channels).map(([t, ch]) => [t, { name: t, slack_channel: ch }]));
  const cfg = {
    timezone: 'Asia/Shanghai',
    locale: 'en',
    teams,
    staff,
    escalation: {
      email: { enabled: true, window: null },
      sms: { enabled: true, window: null, urgent_ignores_window: true },
    },
  };
  if (sweepSeconds) cfg.processing = { sweep_seconds: sweepSeconds };
  if (slaMinutes) {
    cfg.rules = {
      routes: Object.fromEntries(
        EXCEPTION_TYPES.map((type) => [type, { team: DEFAULT_TEAM_OF[type], claim_minutes: slaMinutes.claim, resolve_minutes: slaMinutes.resolve }]),
      ),
    };
  }
  writeFileSync(file, `# written by the bench for this run\n${stringify(cfg)}`);
  return cfg;
}
