import { neutralise } from '../../present/neutralise';
import type { PlatformFormat } from '../../present/cards/card-texts';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Make untrusted text inert in HTML (element content and quoted attributes alike). */
export function escapeHtml(text: string): string {
  return neutralise(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** The local page's markup is HTML: escape everything; a mention is the person's name in bold. */
export const htmlFormat: PlatformFormat = {
  escape: escapeHtml,
  mention: (staff) => `<b>${escapeHtml(staff.name)}</b>`,
};
