import type { Catalogue } from '../catalogue';

/** How a person was told of an escalation, as the card's escalation field lists it. */
export const notify: Catalogue = {
  en: {
    'notify.person': '{{name}} ({{channels}})',
    'notify.channel.dm': 'DM',
    'notify.channel.email': 'email',
    'notify.channel.sms': 'SMS',
    'notify.channel.feishu_urgent': 'urgent',
    'notify.channel.card_mention': '@',
  },
  'zh-CN': {
    'notify.person': '{{name}}（{{channels}}）',
    'notify.channel.dm': '私信',
    'notify.channel.email': '邮件',
    'notify.channel.sms': '短信',
    'notify.channel.feishu_urgent': '加急',
    'notify.channel.card_mention': '@',
  },
};
