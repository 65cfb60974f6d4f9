// Tabular Q-learning for escalation: after a failed test, which model next?
//   state  = (task bucket: complexity score in 4 buckets, the set of models tried, their outcomes)
//   action = an untried candidate at least as energy-hungry as the largest tried (escalation
//            goes up); stopping is the daemon's maxAttempts or running out of models
//   reward = the shared reward (rewards.ts) of the call; terminal when it passed or nothing is left
//   Q(s,a) += ALPHA * (r + GAMMA * max_a' Q(s',a') - Q(s,a))
// Q starts at 0; ties go to the lowest-energy action (the plain next-larger model), so the cold
// policy is the ordinary cascade and learning teaches it which rungs to skip.
export const ALPHA = 0.2;
export const GAMMA = 0.9;
export const EPSILON = 0.1;

export function stateKey(bucket: number, tried: readonly { model: string; passed: boolean | null }[]): string {
  const items = tried.map((t) => `${t.model}:${t.passed === null ? '?' : t.passed ? 'P' : 'F'}`).sort();
  return `${bucket}|${items.join(',')}`;
}

export class QTable {
  readonly q = new Map<string, number>();
  readonly visits = new Map<string, number>();

  get(s: string, a: string): number {
    return this.q.get(`${s}>${a}`) ?? 0;
  }

  best(s: string, actions: readonly string[]): { action: string | null; value: number } {
    let action: string | null = null;
    let value = 0;
    for (const a of actions) {
      const v = this.get(s, a);
      if (action === null || v > value) {
        action = a;
        value = v;
      }
    }
    return { action, value };
  }

  update(s: string, a: string, r: number, next: { s: string; actions: readonly string[] } | null): void {
    const key = `${s}>${a}`;
    const target = r + (next && next.actions.length ? GAMMA * this.best(next.s, next.actions).value : 0);
    const old = this.q.get(key) ?? 0;
    this.q.set(key, old + ALPHA * (target - old));
    this.visits.set(key, (this.visits.get(key) ?? 0) + 1);
  }

  toJSON(): { q: Record<string, number>; visits: Record<string, number> } {
    return { q: Object.fromEntries(this.q), visits: Object.fromEntries(this.visits) };
  }

  load(state: { q: Record<string, number>; visits: Record<string, number> }): void {
    for (const [k, v] of Object.entries(state.q ?? {})) this.q.set(k, v);
    for (const [k, v] of Object.entries(state.visits ?? {})) this.visits.set(k, v);
  }
}
