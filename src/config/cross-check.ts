import type { PoolRule } from '../domain/inventory/types';
import type { FileConfig } from './schema';
import type { Settings } from './settings';
import type { ConfigProblem } from './config-errors';
import { shopProblems } from './shop-settings';
import { calendarProblems } from './calendar-settings';

/** Checks that span keys: every team named exists, staff ids are unique. */
export function crossCheck(s: Settings, f: FileConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const teams = new Set(Object.keys(s.teams));
  const teamList = [...teams].join(', ');
  for (const [type, route] of Object.entries(f.rules?.routes ?? {})) {
    if (!teams.has(route.team)) {
      problems.push({ key: `rules.routes.${type}.team`, message: `team "${route.team}" is not under teams: (${teamList})` });
    }
  }
  for (const [type, route] of Object.entries(s.rules.routes)) {
    if (!f.rules?.routes?.[type] && !teams.has(route.team)) {
      problems.push({
        key: 'teams',
        message: `the built-in route for "${type}" uses team "${route.team}", which is missing: add it or override rules.routes.${type}`,
      });
    }
  }
  for (const [name, st] of Object.entries(f.backlog?.stages ?? {})) {
    if (st?.team && !teams.has(st.team)) {
      problems.push({ key: `backlog.stages.${name}.team`, message: `team "${st.team}" is not under teams: (${teamList})` });
    }
  }
  if (f.inventory?.team && !teams.has(f.inventory.team)) {
    problems.push({ key: 'inventory.team', message: `team "${f.inventory.team}" is not under teams: (${teamList})` });
  }
  const weights = (key: string, pools: PoolRule[]) => {
    const bp = pools.reduce((n, p) => n + (p.weightBp ?? 0), 0);
    if (bp > 10_000) problems.push({ key, message: `pool weights add up to ${bp / 100} %, more than the whole stock: lower them to 1.0 in total` });
  };
  weights('inventory.pools', s.inventory.pools);
  for (const [sku, pools] of Object.entries(s.inventory.skuPools)) weights(`inventory.sku_pools.${sku}`, pools);
  const seen = new Set<string>();
  (f.staff ?? []).forEach((m, i) => {
    if (seen.has(m.id)) problems.push({ key: `staff.${i}.id`, message: `duplicate staff id "${m.id}"` });
    seen.add(m.id);
    if (m.team && !teams.has(m.team)) {
      problems.push({ key: `staff.${i}.team`, message: `team "${m.team}" is not under teams: (${teamList})` });
    }
  });
  problems.push(...shopProblems(f, teams, teamList));
  problems.push(...calendarProblems(s, f));
  return problems;
}

