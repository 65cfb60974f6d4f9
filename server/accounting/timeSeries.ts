// Amounts over time with prefix sums: the sum over any time window is two binary searches, so
// budget checks stay O(log n) however busy the last day was (the daemon checks them several times
// per request). Points arrive nearly in time order (a request is stamped when it starts and
// recorded when it ends, so concurrent requests finish out of order by a little): a late point is
// inserted in place and only the prefix sums after it are shifted, O(points after it).
export class TimeSeries<K extends string> {
  private t: number[] = [];
  private cum: Record<K, number[]>;
  /** Leading points already dropped by prune() but not yet spliced out (amortised pruning). */
  private head = 0;

  constructor(private readonly keys: readonly K[]) {
    this.cum = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  }

  get length(): number {
    return this.t.length - this.head;
  }

  add(time: number, amounts: Record<K, number>): void {
    const n = this.t.length;
    if (n === 0 || time >= this.t[n - 1]!) {
      this.t.push(time);
      for (const k of this.keys) this.cum[k].push((n ? this.cum[k][n - 1]! : 0) + amounts[k]);
      return;
    }
    // Late: insert after every point at or before `time`, shift the sums that follow.
    const at = this.firstAfter(time);
    this.t.splice(at, 0, time);
    for (const k of this.keys) {
      const c = this.cum[k];
      c.splice(at, 0, (at > 0 ? c[at - 1]! : 0) + amounts[k]);
      for (let i = at + 1; i < c.length; i++) c[i]! += amounts[k];
    }
  }

  /** Sum of `key` over points with from < t <= to. */
  sum(key: K, from: number, to: number): number {
    const lo = this.firstAfter(from);
    const hi = this.firstAfter(to) - 1;
    if (hi < lo) return 0;
    const c = this.cum[key];
    return c[hi]! - (lo > 0 ? c[lo - 1]! : 0);
  }

  /** When a sliding window of `windowMs` ending at `now` stops holding `limit` or more of `key`,
   * if nothing new is added: the moment enough of its oldest points slide out (`now` when the
   * window is already below the limit). Says when a spent budget has room again. */
  releaseTime(key: K, limit: number, windowMs: number, now: number): number {
    let sum = this.sum(key, now - windowMs, now);
    if (sum < limit) return now;
    const c = this.cum[key];
    for (let i = this.firstAfter(now - windowMs); i < this.t.length && this.t[i]! <= now; i++) {
      sum -= c[i]! - (i > 0 ? c[i - 1]! : 0);
      if (sum < limit) return this.t[i]! + windowMs;
    }
    return now + windowMs;
  }

  /** Number of points with from < t <= to. */
  count(from: number, to: number): number {
    return Math.max(0, this.firstAfter(to) - this.firstAfter(from));
  }

  /** Forget points at or before `time`. */
  prune(time: number): void {
    this.head = Math.max(this.head, this.firstAfter(time));
    if (this.head > 1024 && this.head * 2 > this.t.length) {
      const raw = this.points();
      this.t = [];
      this.head = 0;
      for (const k of this.keys) this.cum[k] = [];
      for (const p of raw) this.add(p.t, p.amounts);
    }
  }

  /** Index of the first live point with t > time. */
  private firstAfter(time: number): number {
    let lo = this.head;
    let hi = this.t.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.t[mid]! > time) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private points(): { t: number; amounts: Record<K, number> }[] {
    const out: { t: number; amounts: Record<K, number> }[] = [];
    for (let i = this.head; i < this.t.length; i++) {
      const amounts = {} as Record<K, number>;
      for (const k of this.keys) amounts[k] = this.cum[k][i]! - (i > 0 ? this.cum[k][i - 1]! : 0);
      out.push({ t: this.t[i]!, amounts });
    }
    return out;
  }
}
