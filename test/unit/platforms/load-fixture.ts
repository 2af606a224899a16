import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonLossless } from '../../../src/integrations/platforms/common/lossless-json';

export const fixturePath = (platform: string, file: string): string => join(__dirname, '..', '..', 'fixtures', platform, file);

/** Fixture text as stored (for signing exact bytes). */
export const fixtureText = (platform: string, file: string): string => readFileSync(fixturePath(platform, file), 'utf8');

/** Fixture parsed as the adapters parse platform JSON: 19-digit ids stay exact strings. */
export function fixture<T = any>(platform: string, file: string): T {
  return parseJsonLossless(fixtureText(platform, file)) as T;
}
