import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { fileSchema } from './schema';
import type { Settings } from './settings';
import { configError, lineOf, problemAt, type ConfigProblem } from './config-errors';
import { toSettings } from './to-settings';
import { crossCheck } from './cross-check';

export type { ConfigProblem };

/** Read and validate orderops.yml; without a path the built-in defaults apply. */
export function loadSettings(path: string | undefined): Settings {
  if (!path) return toSettings({});
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw configError(path, [{ key: '(file)', message: `cannot read: ${(e as Error).message}` }]);
  }
  return parseSettings(text, path);
}

export function parseSettings(text: string, path = 'orderops.yml'): Settings {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw configError(
      path,
      doc.errors.map((e) => ({
        key: '(syntax)',
        // linePos is only filled in with prettyErrors; count from the offset instead.
        line: e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line,
        message: e.message.split('\n')[0] ?? e.message,
      })),
    );
  }
  const parsed = fileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    throw configError(path, parsed.error.issues.map((i) => problemAt(doc, lineCounter, i)));
  }
  const settings = toSettings(parsed.data);
  const crossProblems = crossCheck(settings, parsed.data).map((p) => ({
    ...p,
    line: lineOf(doc, lineCounter, p.key.split('.')),
  }));
  if (crossProblems.length > 0) throw configError(path, crossProblems);
  return settings;
}
