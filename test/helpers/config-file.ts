import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Write an orderops.yml for one test and return its path. */
export function writeConfig(yaml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'orderops-cfg-'));
  const file = path.join(dir, 'orderops.yml');
  writeFileSync(file, yaml);
  return file;
}
