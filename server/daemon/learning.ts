// The live loop: what the daemon learns from while it serves. Two kinds of labelled outcome reach
// the strategy that made the decision and the online pass model (routing/online-pass.ts) that
// refines every strategy's P(pass):
//   - test verdicts: each implement call whose extracted tests ran (learnCall, as the call returns);
//   - user feedback: accept / reject / edit on an answer, which arrives later and goes through the
//     feedback pipeline (feedback.ts: the decision is kept in the shared store, each verdict
//     teaches once, per user and hour bounded, and every daemon applies it: teach()).
// Feedback is rare (human rate), so the state it changes is persisted at once: a daemon killed a
// second later still knows it, and a restarted daemon need not replay the store's events. Test
// verdicts persist with the periodic flush and on shutdown.
import type { RefinedPassModel } from '../routing/pass-model';
import type { RouteOutcome, Strategy } from '../routing/types';
import type { ModelConfig } from '../config/schema';

export class LiveLearning {
  constructor(
    private readonly models: readonly ModelConfig[],
    private readonly pass: RefinedPassModel | undefined,
    private readonly log: (line: string) => void,
  ) {}

  /** One call's outcome: the deciding strategy learns, and the online pass model when it is labelled. */
  async learnCall(strategy: Strategy | undefined, outcome: RouteOutcome): Promise<void> {
    try {
      strategy?.learn?.(outcome);
    } catch (e) {
      this.log(`strategy ${strategy?.id} failed to learn: ${(e as Error).message}`);
    }
    await this.teachPassModel(outcome);
  }

  /** A user's verdict, as the feedback pipeline applies it: learnt, then persisted at once.
   * `strategy` is undefined where this daemon does not run the strategy that decided (another
   * daemon's configuration): the online pass model still learns. */
  async teach(strategy: Strategy | undefined, outcome: RouteOutcome): Promise<void> {
    await this.learnCall(strategy, outcome);
    try {
      strategy?.persist?.();
      this.pass?.online.persist();
    } catch (e) {
      this.log(`persisting learned state failed: ${(e as Error).message}`);
    }
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
