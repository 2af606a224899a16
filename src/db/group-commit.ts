/**
 * Group commit: callers submit items and wait; items are written in batches by at most
 * `maxConcurrent` flushes at a time. With no flush running an item is written at once (low latency
 * when quiet); while flushes run, arrivals pile up and go together in the next one (throughput in a
 * storm). Two items with the same key are never in one batch nor in two concurrent flushes: one
 * upsert never touches a row twice, and posts of one order are applied in the order they came.
 */
export interface GroupCommitOptions<T> {
  maxBatch: number;
  maxConcurrent: number;
  /** Items waiting beyond this are refused (the caller answers 503 + Retry-After) instead of eating memory. */
  maxPending: number;
  key: (item: T) => string;
}

interface Pending<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

/** A flush result that fails only its own item (the others of the batch resolve). */
export class ItemFailure {
  constructor(readonly error: unknown) {}
}

export class QueueFullError extends Error {
  constructor(readonly pending: number) {
    super(`intake queue is full (${pending} orders waiting)`);
  }
}

export class GroupCommitter<T, R> {
  private pending: Pending<T, R>[] = [];
  private inflight = 0;
  private readonly inflightKeys = new Set<string>();
  private idleWaiters: (() => void)[] = [];

  constructor(
    /** One result per item, in order; an ItemFailure rejects that item alone, a throw rejects them all. */
    private readonly flushFn: (items: T[]) => Promise<(R | ItemFailure)[]>,
    private readonly opts: GroupCommitOptions<T>,
  ) {}

  get waiting(): number {
    return this.pending.length;
  }

  get flushing(): number {
    return this.inflight;
  }

  /** Resolves once every item is committed, with one result per item in order. */
  submit(items: T[]): Promise<R[]> {
    if (this.pending.length + items.length > this.opts.maxPending) {
      return Promise.reject(new QueueFullError(this.pending.length));
    }
    const promises = items.map(
      (item) => new Promise<R>((resolve, reject) => this.pending.push({ item, resolve, reject })),
    );
    this.pump();
    return Promise.all(promises);
  }

  /** Waits until nothing is pending or in flight (graceful shutdown). */
  drain(): Promise<void> {
    if (this.pending.length === 0 && this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.inflight < this.opts.maxConcurrent && this.pending.length > 0) {
      const { batch, keys } = this.takeBatch();
      if (batch.length === 0) return; // everything waiting shares a key with a running flush
      this.inflight++;
      for (const k of keys) this.inflightKeys.add(k);
      this.flushFn(batch.map((p) => p.item)).then(
        (results) => batch.forEach((p, i) => {
          const r = results[i];
          if (r instanceof ItemFailure) p.reject(r.error);
          else p.resolve(r as R);
        }),
        (err) => batch.forEach((p) => p.reject(err)),
      ).finally(() => {
        this.inflight--;
        for (const k of keys) this.inflightKeys.delete(k);
        this.pump();
        if (this.inflight === 0 && this.pending.length === 0) this.idleWaiters.splice(0).forEach((w) => w());
      });
    }
  }

  private takeBatch(): { batch: Pending<T, R>[]; keys: Set<string> } {
    const batch: Pending<T, R>[] = [];
    const keys = new Set<string>();
    const rest: Pending<T, R>[] = [];
    let i = 0;
    for (; i < this.pending.length && batch.length < this.opts.maxBatch; i++) {
      const p = this.pending[i]!;
      const k = this.opts.key(p.item);
      if (keys.has(k) || this.inflightKeys.has(k)) rest.push(p);
      else {
        keys.add(k);
        batch.push(p);
      }
    }
    this.pending = rest.length > 0 ? rest.concat(this.pending.slice(i)) : this.pending.slice(i);
    return { batch, keys };
  }
}
