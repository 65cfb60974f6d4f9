// Online learner: LinUCB contextual bandit for the first choice (../linucb.ts) and tabular
// Q-learning for escalation (../qlearn.ts), both learning from RouteOutcome rewards:
//   reward = w.quality * quality - w.carbon * norm(co2) - w.cost * norm(cost) - w.latency * norm(latency)
// (../rewards.ts; quality = the extracted tests' verdict, or the user's feedback on the answer:
// accepted 1, rejected 0, edited 1 - editRatio; weights from config, default 0.4/0.3/0.2/0.1).
// One instance per daemon, so every client's outcomes train the same state. State lives in
// <stateDir>/rl-state.json, loaded on construction, written atomically by persist() (the daemon
// calls it on shutdown and periodically; learn() also persists every PERSIST_EVERY updates).
// State trained on another feature list is ignored (cold start) rather than misread.
import * as path from 'node:path';
import type { ModelConfig, RewardWeights } from '../../config/schema';
import type { FootprintEstimate, RouteInput, RouteOutcome, Strategy } from '../types';
import { FEATURE_NAMES } from '../features';
import { LinUCB, type ArmState } from '../linucb';
import { EPSILON, QTable, stateKey } from '../qlearn';
import { complexityScore } from '../complexity';
import { DEFAULT_WEIGHTS, qualityOf, referenceFootprint, reward, routableModels } from '../rewards';
import { readJson, writeJsonAtomic } from '../state-file';
import { hasTests } from './common';
import { byEnergy, energyPerOutputToken } from '../order';

export const UCB_ALPHA = 0.3;
export const PERSIST_EVERY = 100;
const STATE_VERSION = 1;

interface RlFile {
  version: number;
  featureNames: string[];
  bandit: Record<string, ArmState>;
  q: { q: Record<string, number>; visits: Record<string, number> };
  updates: number;
}

export interface RlOptions {
  weights?: RewardWeights;
  alpha?: number;
  /** Frozen: greedy on the learned estimates, no exploration, no learning (held-out scoring). */
  frozen?: boolean;
  /** Where to persist; null keeps the state in memory only (fold-specific copies). */
  stateFile?: string | null;
  /** Learned state to start from when there is none of its own yet: the bundle's RL prior, trained
   * offline on the fleet's observed outcomes (bundle.ts). */
  prior?: unknown;
}

const bucketOf = (x: Float32Array) => Math.min(3, Math.floor(complexityScore(x) * 4));
const requestKey = (r: RouteInput['request']) => `${r.functionName ?? ''}|${r.prompt.length}|${r.prompt.slice(-96)}`;

class RlLearner implements Strategy {
  readonly id = 'rl';
  readonly description = 'online contextual bandit (LinUCB) with Q-learning escalation, trained from outcome rewards';
  readonly bandit: LinUCB;
  readonly q = new QTable();
  readonly weights: RewardWeights;
  readonly ref: FootprintEstimate;
  frozen: boolean;
  updates = 0;
  private readonly file: string | null;
  private readonly pending = new Map<string, { s: string; a: string; bucket: number; tried: { model: string; passed: boolean | null }[] }>();

  constructor(
    private readonly models: readonly ModelConfig[],
    stateDir: string | null,
    opts: RlOptions = {},
  ) {
    this.weights = opts.weights ?? DEFAULT_WEIGHTS;
    this.frozen = opts.frozen ?? false;
    this.bandit = new LinUCB(FEATURE_NAMES.length + 1, opts.alpha ?? UCB_ALPHA);
    this.ref = referenceFootprint(routableModels(models));
    this.file = opts.stateFile !== undefined ? opts.stateFile : stateDir ? path.join(stateDir, 'rl-state.json') : null;
    if (!(this.file && this.restore(readJson<RlFile>(this.file))) && opts.prior) this.restore(opts.prior as RlFile);
  }

  private restore(s: RlFile | null): boolean {
    if (!s || s.version !== STATE_VERSION || s.featureNames.join(',') !== FEATURE_NAMES.join(',')) return false;
    this.bandit.load(s.bandit);
    this.q.load(s.q);
    this.updates = s.updates;
    return true;
  }

  /** The learned state as persisted (also what a bundle stores as the RL prior). */
  state(): RlFile {
    return { version: STATE_VERSION, featureNames: [...FEATURE_NAMES], bandit: this.bandit.toJSON(), q: this.q.toJSON(), updates: this.updates };
  }

  /** Estimated quality (ridge estimate of P(pass)) and observation count per candidate. */
  qualityEstimates(input: RouteInput): Map<string, { quality: number; n: number }> {
    const x = this.bandit.context(input.features);
    const out = new Map<string, { quality: number; n: number }>();
    for (const m of input.candidates) {
      const s = this.bandit.estimate(m.id, x);
      out.set(m.id, { quality: s.quality, n: s.n });
    }
    return out;
  }

  choose(input: RouteInput) {
    const x = this.bandit.context(input.features);
    let best: { id: string; v: number; mean: number; bonus: number; n: number } | null = null;
    for (const m of input.candidates) {
      const s = this.frozen ? { ...this.bandit.estimate(m.id, x), bonus: 0 } : this.bandit.score(m.id, x);
      // A tiny seeded jitter breaks the cold-start tie between identical arms at random.
      const v = (this.frozen ? s.mean : s.mean + s.bonus) + input.random() * 1e-9;
      if (!best || v > best.v) best = { id: m.id, v, mean: s.mean, bonus: s.bonus, n: s.n };
    }
    const b = best!;
    return {
      model: b.id,
      explanation: `rl: LinUCB ${this.frozen ? 'greedy (frozen)' : 'upper bound'} best is ${b.id}: estimated reward ${b.mean.toFixed(3)}${this.frozen ? '' : ` + exploration ${b.bonus.toFixed(3)}`} after ${b.n} outcome(s) on it (${this.updates} in all)`,
      verify: hasTests(input.request),
    };
  }

  escalate(input: RouteInput, tried: { model: string; passed: boolean | null }[]) {
    const bucket = bucketOf(input.features);
    const s = stateKey(bucket, tried);
    const actions = this.actions(input.candidates, tried);
    if (!actions.length) return null;
    let action = this.q.best(s, actions).action!;
    let how = `Q ${this.q.get(s, action).toFixed(3)}`;
    if (!this.frozen && input.random() < EPSILON) {
      action = actions[Math.floor(input.random() * actions.length)];
      how = 'exploring';
    }
    this.pending.set(requestKey(input.request), { s, a: action, bucket, tried: [...tried] });
    // Outcomes that never come back (cancelled calls, frozen scoring) must not grow this forever.
    if (this.pending.size > 1000) this.pending.delete(this.pending.keys().next().value!);
    return {
      model: action,
      explanation: `rl: ${tried.map((t) => t.model).join(', ')} failed; Q-learning escalation picks ${action} (${how}, bucket ${bucket})`,
      verify: true,
    };
  }

  /** Untried candidates at least as energy-hungry as the largest tried one, by energy. */
  private actions(candidates: readonly ModelConfig[], tried: readonly { model: string }[]): string[] {
    const triedIds = new Set(tried.map((t) => t.model));
    const floor = Math.max(0, ...candidates.filter((m) => triedIds.has(m.id)).map(energyPerOutputToken));
    return byEnergy(candidates.filter((m) => !triedIds.has(m.id) && energyPerOutputToken(m) >= floor)).map((m) => m.id);
  }

  learn(o: RouteOutcome): void {
    if (this.frozen) return;
    const quality = qualityOf(o.passed, o.feedback, o.editRatio);
    if (quality === null) return;
    const r = reward(this.weights, quality, o, this.ref);
    this.bandit.update(o.model, this.bandit.context(o.features), r, quality);
    const key = requestKey(o.request);
    const p = this.pending.get(key);
    if (p && p.a === o.model) {
      this.pending.delete(key);
      const tried = [...p.tried, { model: o.model, passed: o.passed }];
      const candidates = this.models.filter((m) => m.enabled);
      const next = o.passed ? null : { s: stateKey(p.bucket, tried), actions: this.actions(candidates, tried) };
      this.q.update(p.s, p.a, r, next);
    }
    if (++this.updates % PERSIST_EVERY === 0) this.persist();
  }

  persist(): void {
    if (!this.file) return;
    writeJsonAtomic(this.file, this.state());
  }

}

/** The rl strategy, with its learned state readable by the trainers (bandit, Q-table, state()). */
export type RlStrategy = RlLearner;

/** Every strategy is made by a factory; this one persists to <stateDir>/rl-state.json (null: memory only). */
export function rlStrategy(models: readonly ModelConfig[], stateDir: string | null, opts: RlOptions = {}): RlStrategy {
  return new RlLearner(models, stateDir, opts);
}

/** A fresh in-memory one (fold-specific training must not touch the daemon's state). */
export function freshRl(models: readonly ModelConfig[], opts: RlOptions = {}): RlStrategy {
  return new RlLearner(models, null, { ...opts, stateFile: null });
}

