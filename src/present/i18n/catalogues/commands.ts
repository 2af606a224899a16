import type { Catalogue } from '../catalogue';

/** `/orderops …` (Slack), `@bot …` (Feishu) and the local page's command box. */
export const commands: Catalogue = {
  en: {
    'command.not_staff': 'Only staff listed in orderops.yml can use orderops commands. Ask a supervisor to add you.',
    'command.unknown': 'Unknown command "{{word}}". Commands:',
    'command.help.title': 'orderops commands:',
    'command.help.none': '(none yet)',
    'command.local.usage': 'Type a command, e.g. help',
    'command.card_posted': 'Posted in this channel.',
    'local.command_placeholder': 'Command, e.g. help',
    'local.command': 'Run',
    'local.command_title': 'orderops command',
  },
  'zh-CN': {
    'command.not_staff': '只有 orderops.yml 中登记的员工可以使用 orderops 命令，请联系主管添加。',
    'command.unknown': '未知命令"{{word}}"。可用命令：',
    'command.help.title': 'orderops 命令：',
    'command.help.none': '（暂无）',
    'command.local.usage': '输入命令，例如 帮助',
    'command.card_posted': '已发送到本群。',
    'local.command_placeholder': '命令，例如 帮助',
    'local.command': '执行',
    'local.command_title': 'orderops 命令',
  },
};
