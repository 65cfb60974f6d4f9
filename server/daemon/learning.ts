// The live loop: what the daemon learns from while it serves. Two kinds of labelled outcome reach
// the strategy that made the decision and the online pass model (routing/online-pass.ts) that
// refines every strategy's P(pass):
//   - test verdicts: each implement call whose extracted tests ran (learnCall, as the call returns);
//   - user feedback: accept / reject / edit on an answer (feedback), which arrives later, so the
//     decision (strategy, request, features, model, footprint) is kept per requestId until then.
// Feedback is rare (human rate), so the state it changes is persisted at once: a daemon killed a
// second later still knows it. Test verdicts persist with the periodic flush and on shutdown.
import type { FeedbackKind } from '../../shared/protocol';
import type { RefinedPassModel } from '../routing/pass-model';
import type { FootprintEstimate, RequestContext, RouteOutcome, Strategy } from '../routing/types';
import type { ModelConfig } from '../config/schema';

/** Decisions kept for feedback, oldest dropped first. Feedback comes seconds to minutes after an
 * answer; 5,000 is hours of a busy team's requests, at a few KB each (prompt, tests, features). */
export const MAX_DECISIONS = 5_000;

export interface Decision {
  strategy: Strategy;
  request: RequestContext;
  features: Float32Array;
  /** The model whose answer the user saw. */
  model: string;
  /** That answer's own call: what the reward weighs quality against. */
  footprint: Pick<FootprintEstimate, 'energyJ' | 'co2g' | 'costUsd' | 'latencyMs'>;
}

export interface FeedbackLearned {
  learned: boolean;
  /** Why nothing was learned. */
  reason?: string;
}

export class LiveLearning {
  private readonly decisions = new Map<string, Decision>();

  constructor(
    private readonly models: readonly ModelConfig[],
    private readonly pass: RefinedPassModel | undefined,
    private readonly log: (line: string) => void,
  ) {}

  /** One call's outcome: the deciding strategy learns, and the online pass model when it is labelled. */
  async learnCall(strategy: Strategy, outcome: RouteOutcome): Promise<void> {
    try {
      strategy.learn?.(outcome);
    } catch (e) {
      this.log(`strategy ${strategy.id} failed to learn: ${(e as Error).message}`);
    }
    await this.teachPassModel(outcome);
  }

  /** Keeps the decision behind `requestId` until its feedback comes (or it ages out). */
  remember(requestId: string, decision: Decision): void {
    this.decisions.set(requestId, decision);
    if (this.decisions.size > MAX_DECISIONS) this.decisions.delete(this.decisions.keys().next().value!);
  }

  /** The user's verdict on an answer, as an outcome of the decision that produced it. */
  async feedback(requestId: string, kind: FeedbackKind, editRatio: number | undefined): Promise<FeedbackLearned> {
    const d = this.decisions.get(requestId);
    if (!d) return { learned: false, reason: `the daemon no longer holds request ${requestId}'s decision (restarted, or more than ${MAX_DECISIONS} requests ago)` };
    const outcome: RouteOutcome = {
      request: d.request,
      features: d.features,
      model: d.model,
      // The feedback is the label; the tests' verdict (if any) was learnt when the call returned.
      passed: null,
      feedback: kind,
      editRatio: kind === 'edited' ? (editRatio ?? null) : null,
      ...d.footprint,
    };
    await this.learnCall(d.strategy, outcome);
    try {
      d.strategy.persist?.();
      this.pass?.online.persist();
    } catch (e) {
      this.log(`persisting learned state failed: ${(e as Error).message}`);
    }
    return { learned: true };
  }

  /** Flushes the online pass model (the strategies flush their own). */
  persist(): void {
    this.pass?.online.persist();
  }

  private async teachPassModel(outcome: RouteOutcome): Promise<void> {
    if (!this.pass) return;
    const model = this.models.find((m) => m.id === outcome.model);
    if (!model) return;
    try {
      const prior = await this.pass.priorOf(outcome.features, model);
      this.pass.online.learn(outcome, prior);
    } catch (e) {
      this.log(`online pass model failed to learn: ${(e as Error).message}`);
    }
  }
}
