/**
 * Slack requests must be this app's own: the `api_app_id` and the workspace (`team_id`, or the
 * Enterprise Grid org) they name are compared with the app's. A valid signature already proves the
 * signing secret; this also refuses a request meant for another app sharing it or a workspace the
 * bot was never meant to serve (a distributed or Grid-installed app), with no state change.
 */
export interface SlackIdentity {
  appId?: string;
  teamId?: string;
  enterpriseId?: string;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Where a request (event, interaction or slash command, as parsed) says it comes from. */
export function requestIdentity(body: Json): SlackIdentity {
  const team = obj(body.team);
  const user = obj(body.user);
  const view = obj(body.view);
  const enterprise = obj(body.enterprise);
  return {
    appId: str(body.api_app_id) ?? str(view.app_id),
    teamId: str(body.team_id) ?? str(team.id) ?? str(user.team_id) ?? str(view.team_id),
    enterpriseId: str(body.enterprise_id) ?? str(enterprise.id) ?? str(obj(body.authorizations).enterprise_id),
  };
}

/** Why a request is not this app's, or null when it is. Unknown parts of `expected` are not checked. */
export function identityProblem(expected: SlackIdentity, got: SlackIdentity): string | null {
  if (expected.appId && got.appId !== expected.appId) {
    return `api_app_id ${got.appId ?? '(none)'} is not this app (${expected.appId})`;
  }
  if (expected.teamId) {
    const sameTeam = got.teamId === expected.teamId;
    const sameOrg = Boolean(expected.enterpriseId) && got.enterpriseId === expected.enterpriseId;
    if (!sameTeam && !sameOrg) return `team_id ${got.teamId ?? '(none)'} is not this app's workspace (${expected.teamId})`;
  }
  return null;
}
