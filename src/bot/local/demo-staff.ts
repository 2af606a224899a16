import type { StaffMember } from '../../config';
import type { TeamSettings } from '../../config/settings';

/** Every demo staff id starts with this, so demo data is recognisable wherever it shows up. */
export const DEMO_STAFF_PREFIX = 'demo.';

const NAMES: Record<string, [agent: string, supervisor: string]> = {
  service: ['张三', '李四'],
  finance: ['王芳', '赵敏'],
  warehouse: ['刘强', '陈刚'],
  review: ['孙丽', '周杰'],
};

/**
 * DEMO DATA — used only by the local channel when orderops.yml has no `staff:`. An agent and a
 * supervisor per team, and one manager over all teams, with no Slack/Feishu/email/phone identity
 * (they exist only on the local page). Configure `staff:` and these are deactivated at next start.
 */
export function demoStaff(teams: Record<string, TeamSettings>): StaffMember[] {
  const staff: StaffMember[] = [];
  for (const [team, t] of Object.entries(teams)) {
    const [agent, supervisor] = NAMES[team] ?? [`${t.name}专员`, `${t.name}主管`];
    staff.push(
      { id: `${DEMO_STAFF_PREFIX}${team}.agent`, name: agent, role: 'agent', team },
      { id: `${DEMO_STAFF_PREFIX}${team}.supervisor`, name: supervisor, role: 'supervisor', team },
    );
  }
  staff.push({ id: `${DEMO_STAFF_PREFIX}manager`, name: '吴经理', role: 'manager' });
  return staff;
}
