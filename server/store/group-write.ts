// Group commit for a store's small writes: concurrent calls share one statement. The first call
// goes out at once (no timer, so an idle daemon adds no latency); calls that arrive while a
// statement is in flight wait for it and then go together in the next one. Under load this turns
// N round trips (each a socket write and a wake-up of the database) into about one per round-trip
// time, and each caller still learns its own outcome when its statement has committed.

export class GroupWrite<T, R> {
  private queue: { item: T; resolve: (r: R) => void; reject: (e: Error) => void }[] = [];
  private draining = false;

  /** `write` gets the items in call order and returns one result per item, in the same order. */
  constructor(private readonly write: (items: T[]) => Promise<R[]>, private readonly maxBatch = 500) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
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
