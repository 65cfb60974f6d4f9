// Disjoint LinUCB (Li et al. 2010) over the request features plus a bias term. Per arm: A^-1
// (kept directly, updated by Sherman-Morrison: O(d^2) per update, no matrix inversion), b = sum r*x
// for the reward and bq = sum q*x for quality (same A, so the ridge estimate of P(pass) is free;
// the ensemble reads it). score = theta.x + alpha * sqrt(x' A^-1 x); frozen = no bonus, no updates.
export interface ArmState {
  Ainv: number[];
  b: number[];
  bq: number[];
  n: number;
}

interface Arm {
  Ainv: Float64Array;
  b: Float64Array;
  bq: Float64Array;
  n: number;
  /** Cached A^-1 b and A^-1 bq (null after an update): estimates then cost O(d), not O(d^2). */
  theta: Float64Array | null;
  thetaQ: Float64Array | null;
}

export class LinUCB {
  readonly arms = new Map<string, Arm>();
  constructor(
    readonly d: number,
    readonly alpha: number,
    readonly lambda = 1,
  ) {}

  private arm(id: string) {
    let a = this.arms.get(id);
    if (!a) {
      const Ainv = new Float64Array(this.d * this.d);
      for (let i = 0; i < this.d; i++) Ainv[i * this.d + i] = 1 / this.lambda;
      a = { Ainv, b: new Float64Array(this.d), bq: new Float64Array(this.d), n: 0, theta: null, thetaQ: null };
      this.arms.set(id, a);
    }
    return a;
  }

  /** Features with a leading bias term: the bandit's context vector. */
  context(features: Float32Array): Float64Array {
    const x = new Float64Array(this.d);
    x[0] = 1;
    for (let i = 0; i < features.length && i + 1 < this.d; i++) x[i + 1] = features[i];
    return x;
  }

  private thetas(a: Arm): { theta: Float64Array; thetaQ: Float64Array } {
    if (!a.theta || !a.thetaQ) {
      const d = this.d;
      a.theta = new Float64Array(d);
      a.thetaQ = new Float64Array(d);
      for (let i = 0; i < d; i++) {
        let s = 0, q = 0;
        for (let j = 0; j < d; j++) {
          s += a.Ainv[i * d + j] * a.b[j];
          q += a.Ainv[i * d + j] * a.bq[j];
        }
        a.theta[i] = s;
        a.thetaQ[i] = q;
      }
    }
    return { theta: a.theta, thetaQ: a.thetaQ };
  }

  /** Estimated reward and quality of `id` for context x: O(d) with the cached thetas. */
  estimate(id: string, x: Float64Array): { mean: number; quality: number; n: number } {
    const a = this.arm(id);
    const { theta, thetaQ } = this.thetas(a);
    let mean = 0, quality = 0;
    for (let i = 0; i < this.d; i++) {
      mean += theta[i] * x[i];
      quality += thetaQ[i] * x[i];
    }
    return { mean, quality, n: a.n };
  }

  /** Estimate plus the UCB exploration bonus alpha * sqrt(x' A^-1 x), which costs O(d^2). */
  score(id: string, x: Float64Array): { mean: number; bonus: number; quality: number; n: number } {
    const e = this.estimate(id, x);
    const a = this.arm(id);
    const d = this.d;
    let xAx = 0;
    for (let i = 0; i < d; i++) {
      if (x[i] === 0) continue;
      let s = 0;
      const row = i * d;
      for (let j = 0; j < d; j++) s += a.Ainv[row + j] * x[j];
      xAx += x[i] * s;
    }
    return { ...e, bonus: this.alpha * Math.sqrt(Math.max(0, xAx)) };
  }

  update(id: string, x: Float64Array, reward: number, quality: number): void {
    const a = this.arm(id);
    const d = this.d;
    const Ax = new Float64Array(d);
    let xAx = 0;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += a.Ainv[i * d + j] * x[j];
      Ax[i] = s;
      xAx += x[i] * s;
    }
    const k = 1 / (1 + xAx);
    for (let i = 0; i < d; i++) {
      const ai = Ax[i] * k;
      for (let j = 0; j < d; j++) a.Ainv[i * d + j] -= ai * Ax[j];
    }
    for (let i = 0; i < d; i++) {
      a.b[i] += reward * x[i];
      a.bq[i] += quality * x[i];
    }
    a.n++;
    a.theta = a.thetaQ = null;
  }

  toJSON(): Record<string, ArmState> {
    const out: Record<string, ArmState> = {};
    for (const [id, a] of this.arms) out[id] = { Ainv: Array.from(a.Ainv), b: Array.from(a.b), bq: Array.from(a.bq), n: a.n };
    return out;
  }

  load(state: Record<string, ArmState>): void {
    for (const [id, s] of Object.entries(state)) {
      if (s.Ainv.length !== this.d * this.d || s.b.length !== this.d) continue;
      this.arms.set(id, { Ainv: Float64Array.from(s.Ainv), b: Float64Array.from(s.b), bq: Float64Array.from(s.bq), n: s.n, theta: null, thetaQ: null });
    }
  }
}
