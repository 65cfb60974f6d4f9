// Group commit for a store's small writes: concurrent calls share one statement. The first call
// goes out at once (no timer, so an idle daemon adds no latency); calls that arrive while a
// statement is in flight wait for it and then go together in the next one. Under load this turns
// N round trips (each a socket write and a wake-up of the database) into about one per round-trip
// time, and each caller still learns its own outcome when its statement has committed.
// `lingerMs` holds the first call of an idle writer back that long, so that writes nobody waits
// for (the decisions behind answers) go in batches even when the round trip is short.

export class GroupWrite<T, R> {
  private queue: { item: T; resolve: (r: R) => void; reject: (e: Error) => void }[] = [];
  private draining = false;
  private readonly maxBatch: number;
  private readonly lingerMs: number;

  /** `write` gets the items in call order and returns one result per item, in the same order. */
  constructor(private readonly write: (items: T[]) => Promise<R[]>, opts: { maxBatch?: number; lingerMs?: number } = {}) {
    this.maxBatch = opts.maxBatch ?? 500;
    this.lingerMs = opts.lingerMs ?? 0;
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.draining) return;
      this.draining = true;
      if (this.lingerMs > 0) setTimeout(() => void this.drain(), this.lingerMs);
      else void this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const results = await this.write(batch.map((b) => b.item));
          batch.forEach((b, i) => b.resolve(results[i]!));
        } catch (e) {
          // The statement failed as a whole: every caller in it sees the failure, as each would
          // have alone; the next batch is tried on its own.
          for (const b of batch) b.reject(e as Error);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}
