/** One area's texts in both languages (Handlebars; variables arrive escaped for the target platform). */
export interface Catalogue {
  en: Record<string, string>;
  'zh-CN': Record<string, string>;
}
