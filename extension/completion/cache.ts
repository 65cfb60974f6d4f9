// An LRU cache of inline completions keyed on (document uri, prefix, suffix), which also serves
// the remainder of a suggestion the user is typing through (typed the first k characters of a
// shown suggestion: serve the rest without a request), as Tabby does. Pure: no `vscode` import.

export interface CachedCompletion {
  /** The text to insert at the cursor of the key's prefix. */
  text: string;
  requestId: string;
  model?: string;
}

interface Entry extends CachedCompletion {
  uri: string;
  prefix: string;
  suffix: string;
  at: number;
}

export interface CacheOptions {
  maxEntries?: number;
  ttlMs?: number;
  now?: () => number;
}

export interface CacheHit extends CachedCompletion {
  /** How many characters of the cached suggestion the user has typed since it was shown. */
  typed: number;
}

const key = (uri: string, prefix: string, suffix: string) => `${uri}\u0000${prefix.length}\u0000${suffix.length}\u0000${prefix}\u0000${suffix}`;

export class CompletionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly max: number;
  private readonly ttl: number;
  private readonly now: () => number;

  constructor(opts: CacheOptions = {}) {
    this.max = opts.maxEntries ?? 100;
    this.ttl = opts.ttlMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  set(uri: string, prefix: string, suffix: string, value: CachedCompletion): void {
    const k = key(uri, prefix, suffix);
    this.entries.delete(k);
    this.entries.set(k, { ...value, uri, prefix, suffix, at: this.now() });
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  /** An exact hit, or the remainder of a suggestion the user typed into. */
  get(uri: string, prefix: string, suffix: string): CacheHit | undefined {
    const now = this.now();
    const k = key(uri, prefix, suffix);
    const exact = this.entries.get(k);
    if (exact && now - exact.at <= this.ttl) {
      this.touch(k, exact);
      return { text: exact.text, requestId: exact.requestId, model: exact.model, typed: 0 };
    }
    // Typed through: an entry for the same document and suffix whose prefix, followed by the
    // start of its suggestion, is the current prefix. Newest first.
    const all = [...this.entries.entries()].reverse();
    for (const [ek, e] of all) {
      if (now - e.at > this.ttl) {
        this.entries.delete(ek);
        continue;
      }
      if (e.uri !== uri || e.suffix !== suffix || prefix.length <= e.prefix.length) continue;
      const typed = prefix.length - e.prefix.length;
      if (typed >= e.text.length) continue;
      if (!prefix.startsWith(e.prefix) || !e.text.startsWith(prefix.slice(e.prefix.length))) continue;
      this.touch(ek, e);
      return { text: e.text.slice(typed), requestId: e.requestId, model: e.model, typed };
    }
    return undefined;
  }

  /** Forgets every entry of a document (closed) or everything. */
  clear(uri?: string): void {
    if (uri === undefined) this.entries.clear();
    else for (const [k, e] of this.entries) if (e.uri === uri) this.entries.delete(k);
  }

  private touch(k: string, e: Entry): void {
    this.entries.delete(k);
    this.entries.set(k, e);
  }
}
