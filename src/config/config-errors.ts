import { LineCounter, isMap, isNode, isScalar, type Document } from 'yaml';
import type { z } from 'zod';
import { ErrorCode, OrderopsError } from '../domain/errors';

/** One problem found in orderops.yml: the dotted key, its line when known, and what to do. */
export interface ConfigProblem {
  key: string;
  line?: number;
  message: string;
}

export function problemAt(doc: Document, lc: LineCounter, issue: z.core.$ZodIssue): ConfigProblem {
  const path = issue.path.map(String);
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path.push(issue.keys[0] ?? '');
    message = `unknown key "${issue.keys.join('", "')}" (check the spelling against orderops.example.yml)`;
  }
  return { key: path.join('.') || '(root)', line: lineOf(doc, lc, path), message };
}

export function lineOf(doc: Document, lc: LineCounter, path: string[]): number | undefined {
  // Walk up the path until a node exists (a missing key is reported at its parent). A map entry is
  // reported at its key's line: a block value (a nested map or list) starts on the line below.
  for (let n = path.length; n >= 0; n--) {
    const keyPath = path.slice(0, n).map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    const last = path[n - 1];
    const parent = n === 0 ? undefined : n === 1 ? doc.contents : doc.getIn(keyPath.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === last);
      if (isNode(pair?.key) && pair.key.range) return lc.linePos(pair.key.range[0]).line;
    }
    const node = n === 0 ? doc.contents : doc.getIn(keyPath, true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}

export function configError(path: string, problems: ConfigProblem[]): OrderopsError {
  const lines = problems.map((p) => `  - ${path}${p.line ? `:${p.line}` : ''} ${p.key}: ${p.message}`);
  return new OrderopsError(
    ErrorCode.ConfigInvalid,
    `Invalid configuration in ${path}:\n${lines.join('\n')}\nFix the keys above (orderops.example.yml documents each one) and start again.`,
    problems,
  );
}

