import type { Catalogue } from '../catalogue';

/** The work calendar: days, due times, on-call, shift handoff (issue 20). */
export const calendar: Catalogue = {
  en: {
    'calendar.weekday.1': 'Mon', 'calendar.weekday.2': 'Tue', 'calendar.weekday.3': 'Wed', 'calendar.weekday.4': 'Thu',
    'calendar.weekday.5': 'Fri', 'calendar.weekday.6': 'Sat', 'calendar.weekday.7': 'Sun',
    'calendar.kind.workday': 'working day', 'calendar.kind.weekend': 'weekend', 'calendar.kind.holiday': 'statutory holiday',
    'calendar.kind.makeup_workday': 'make-up working day (调休)', 'calendar.kind.team_holiday': 'team day off', 'calendar.kind.team_workday': 'team extra working day',
    'calendar.source.statutory': 'State Council schedule', 'calendar.source.config': 'orderops.yml', 'calendar.source.weekday_rule': 'Monday–Friday rule (no holiday data for this year)',
    'calendar.cli.check': '{{date}}{{#if team}} (team {{team}}){{/if}}: {{#if workday}}working day{{else}}day off{{/if}} — {{kind}}{{#if name}} {{name}}{{/if}} ({{source}})',
    'calendar.cli.due': 'team {{team}}: {{minutes}} working minutes after {{from}} → due {{due}}',
    'calendar.missing_years': '⚠ The holiday calendar has no data for {{years}}: those years count Monday–Friday, so 元旦, 春节 … are working days. Enter the State Council notice in calendar.extra_holidays / extra_workdays of orderops.yml, or update chinese-days.',
    'calendar.due.business': '(working time)',
    'calendar.page.dm': '🚨 Critical, outside working hours: the "{{type}}" exception of order {{orderId}} needs the person on call now: {{reason}}',
    'calendar.due.value': 'claim by {{claimDue}} · resolve by {{resolveDue}}{{#if business}} {{business}}{{/if}}',
  },
  'zh-CN': {
    'calendar.weekday.1': '周一', 'calendar.weekday.2': '周二', 'calendar.weekday.3': '周三', 'calendar.weekday.4': '周四',
    'calendar.weekday.5': '周五', 'calendar.weekday.6': '周六', 'calendar.weekday.7': '周日',
    'calendar.kind.workday': '工作日', 'calendar.kind.weekend': '周末', 'calendar.kind.holiday': '法定节假日',
    'calendar.kind.makeup_workday': '调休上班日', 'calendar.kind.team_holiday': '团队放假日', 'calendar.kind.team_workday': '团队加班日',
    'calendar.source.statutory': '国务院放假安排', 'calendar.source.config': 'orderops.yml', 'calendar.source.weekday_rule': '按周一至周五（该年份无节假日数据）',
    'calendar.cli.check': '{{date}}{{#if team}}（{{team}} 团队）{{/if}}：{{#if workday}}上班{{else}}休息{{/if}} —— {{kind}}{{#if name}} {{name}}{{/if}}（{{source}}）',
    'calendar.cli.due': '{{team}} 团队：从 {{from}} 起 {{minutes}} 个工作分钟 → 截止 {{due}}',
    'calendar.missing_years': '⚠ 节假日日历缺少 {{years}} 年的数据：这些年份按周一至周五计算，元旦、春节等会被当作工作日。请在 orderops.yml 的 calendar.extra_holidays / extra_workdays 中填入国务院放假通知，或升级 chinese-days。',
    'calendar.due.business': '（工作时间）',
    'calendar.page.dm': '🚨 非工作时间的紧急异常：订单 {{orderId}} 的「{{type}}」需要值班人员立即处理：{{reason}}',
    'calendar.due.value': '截止 {{claimDue}} 前认领 · {{resolveDue}} 前解决{{#if business}}{{business}}{{/if}}',
  },
};
