/** What a write did to one order (the intake's WriteOutcome). */
export type WriteOutcome = 'created' | 'updated' | 'unchanged';

/**
 * The comparison of one run, page by page: what the platform listed, what we already had, what
 * this run stored. An order listed twice (neighbouring sub-windows share their edge; an order
 * updated mid-run moves pages) counts once.
 */
export interface RunTally {
  /** Distinct order ids the platform listed and we could read. */
  seen: Set<string>;
  /** Of those, the ones stored before this run first saw them (by lookup). */
  had: Set<string>;
  /** Stored by this run's writes: missing before. */
  created: Set<string>;
  /** Already stored, replaced by a newer version from the platform. */
  updated: Set<string>;
  /** Orders on the platform that could not be mapped (never stored: the set is not proven). */
  itemErrors: number;
  /** Distinct pages read (a page read again after a retry counts once). */
  pages: number;
  pageKeys: Set<string>;
}

export const newTally = (): RunTally => ({ seen: new Set(), had: new Set(), created: new Set(), updated: new Set(), itemErrors: 0, pages: 0, pageKeys: new Set() });

/**
 * Count one page. `stored` holds the page's ids that were in the database before the page was
 * written; `outcomes` (absent on a dry run) what the write did to each id.
 */
export function tallyPage(
  t: RunTally,
  page: { key?: string; ids: string[]; itemErrors: number; stored: ReadonlySet<string>; outcomes?: ReadonlyMap<string, WriteOutcome> },
): void {
  // A page read again (the run resumed its sub-window after an error) adds no page and no unreadable orders twice.
  const again = page.key !== undefined && t.pageKeys.has(page.key);
  if (page.key !== undefined) t.pageKeys.add(page.key);
  if (!again) {
    t.pages++;
    t.itemErrors += page.itemErrors;
  }
  for (const id of page.ids) {
    if (!t.seen.has(id)) {
      t.seen.add(id);
      if (page.stored.has(id)) t.had.add(id);
    }
    const outcome = page.outcomes?.get(id);
    if (outcome === 'created') t.created.add(id);
    else if (outcome === 'updated' && !t.created.has(id)) t.updated.add(id);
  }
}

export interface RunFigures {
  /** Orders the platform has in the window (readable or not). */
  platform: number;
  /** Orders we already had. */
  had: number;
  /** Orders missing before the run (a dry run stores nothing: what it would ingest). */
  missing: number;
  /** Missing orders this run stored. */
  ingested: number;
  /** Known orders replaced by a newer version. */
  updated: number;
  itemErrors: number;
  pages: number;
}

/**
 * The run's figures. On a real run, had = listed − stored by us, so platform = had + ingested +
 * unreadable always adds up, even when a push lands between our lookup and our write (that order
 * then counts as had: the push got it).
 */
export function runFigures(t: RunTally, dryRun: boolean): RunFigures {
  const readable = t.seen.size;
  const had = dryRun ? t.had.size : readable - t.created.size;
  return {
    platform: readable + t.itemErrors,
    had,
    missing: readable - had,
    ingested: dryRun ? 0 : t.created.size,
    updated: dryRun ? 0 : t.updated.size,
    itemErrors: t.itemErrors,
    pages: t.pages,
  };
}

/** Why a run stopped before the end of its window. */
export type StopReason = 'page_failed' | 'budget';

/** Complete means proven: every page read and every listed order readable. */
export function isComplete(stop: StopReason | undefined, itemErrors: number): boolean {
  return stop === undefined && itemErrors === 0;
}

/** The first few of a list (recovered ids, problems) kept on the run row and its card. */
export function firstFew<T>(list: Iterable<T>, n = 10): T[] {
  const out: T[] = [];
  for (const x of list) {
    if (out.length >= n) break;
    out.push(x);
  }
  return out;
}
