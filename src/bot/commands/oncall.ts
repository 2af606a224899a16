import { buildCalendar, teamCalendar, teamDutyView } from '../../domain/calendar';
import { oncallText } from '../../present/calendar/oncall-texts';
import { t } from '../../present/i18n';
import { textAnswer, type OrderopsCommand } from './command';

/**
 * `/orderops oncall [team]` (Slack), `@bot 值班 [团队]` (Feishu), `oncall` on the local page: who is
 * on duty now and next, per team (its shift, its on-call person now and the next one).
 */
export const oncallCommand: OrderopsCommand = {
  name: 'oncall',
  aliases: ['值班', '值班表'],
  usageKey: 'command.oncall.usage',
  async run(deps, ctx, args) {
    const { settings } = deps.config;
    const cal = buildCalendar(settings.calendar);
    const wanted = args.trim().toLowerCase();
    const teams = Object.entries(settings.teams).filter(([id, team]) => !wanted || id.toLowerCase() === wanted || team.name.toLowerCase() === wanted);
    if (teams.length === 0) {
      return textAnswer((escape) => t(ctx.locale, 'oncall.unknown_team', { team: escape(args.trim()), teams: escape(Object.keys(settings.teams).join(', ')) }));
    }
    const names = Object.fromEntries(settings.staff.map((s) => [s.id, s.name]));
    return textAnswer((escape) => [
      t(ctx.locale, 'oncall.title'),
      ...teams.map(([id, team]) => oncallText(ctx.locale, {
        view: teamDutyView(cal, id, ctx.now), teamName: team.name, zone: teamCalendar(cal, id).timezone, names, now: ctx.now,
        supervisors: settings.staff.filter((s) => s.role === 'supervisor' && s.team === id).map((s) => s.name),
      }, escape)),
    ].join('\n'));
  },
};
