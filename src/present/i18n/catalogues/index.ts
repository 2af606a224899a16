import type { Catalogue } from '../catalogue';
import { commands } from './commands';
import { shop } from './shop';
import { rejected } from './rejected';
import { lookupAccess } from './lookup-access';
import { calendar } from './calendar';
import { notify } from './notify';
import { rules } from './rules';
import { signals } from './signals';

/**
 * Feature catalogues beside the core texts (en.ts, zh-CN.ts). A feature area keeps its texts in a
 * file of its own here — `{ en: {...}, 'zh-CN': {...} }` with keys under its own prefix — and adds
 * one line below. A key defined twice is an error at start (see ../index.ts).
 */
export const CATALOGUES: Record<string, Catalogue> = {
  commands,
  shop,
  rejected,
  lookupAccess,
  calendar,
  notify,
  rules,
  signals,
};
