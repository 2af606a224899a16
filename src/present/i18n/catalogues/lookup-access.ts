import type { Catalogue } from '../catalogue';

/** Who may look orders up (`/order`, `@bot 查单`, the local page's search), and where the answer goes. */
export const lookupAccess: Catalogue = {
  en: {
    'lookup.not_staff': 'Order lookups are for staff listed in orderops.yml. Ask a supervisor to add you.',
    'lookup.sent_privately': 'Sent to you privately.',
  },
  'zh-CN': {
    'lookup.not_staff': '只有 orderops.yml 中登记的员工可以查单，请联系主管添加。',
    'lookup.sent_privately': '已私信发给你。',
  },
};
