/** What a card button carries: the exception and the version of the card it was clicked on. */
export interface ButtonRef {
  exceptionId: number;
  version: number;
}

/** `123:4` — exception 123 as shown at version 4 (a click on an older version is stale). */
export function encodeButtonValue(ref: ButtonRef): string {
  return `${ref.exceptionId}:${ref.version}`;
}

export function decodeButtonValue(value: string | undefined | null): ButtonRef | undefined {
  const m = /^(\d{1,15}):(\d{1,9})$/.exec(value ?? '');
  if (!m) return undefined;
  return { exceptionId: Number(m[1]), version: Number(m[2]) };
}

/** A price decision button: `p123:4` — request 123 as shown at version 4. */
export function encodeDecisionValue(v: { requestId: number; version: number }): string {
  return `p${v.requestId}:${v.version}`;
}

export function decodeDecisionValue(value: string | undefined | null): { requestId: number; version: number } | undefined {
  const m = /^p(\d{1,15}):(\d{1,9})$/.exec(value ?? '');
  return m ? { requestId: Number(m[1]), version: Number(m[2]) } : undefined;
}
