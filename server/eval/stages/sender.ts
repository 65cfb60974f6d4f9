// The one way the evaluation's stages send work to daemons: plans in, answers, their hidden
// verdicts and the daemons' own overhead collected per strategy.
import type { HiddenTests, Verdicts } from '../hidden';
import { modelTimeMs } from '../model-time';
import type { Progress } from '../progress';
import { runPlan, type Answer, type PlannedStrategy } from '../runner';
import type { EvalTask } from '../tasks';

/** Sends plans through daemons and collects, per strategy, the answers, their hidden verdicts (judged
 * as they arrive) and the daemon's own overhead. */
export class Sender {
  readonly answered = new Map<string, Answer[]>();
  readonly overhead = new Map<string, number[]>();
  private readonly judged = new Map<string, Promise<Verdicts>[]>();

  constructor(private readonly o: { tasks: EvalTask[]; config: Record<string, unknown>; stateRoot: string; lanes: number; hidden: HiddenTests; progress: Progress }) {}

  async send(plan: PlannedStrategy[], foldBundles: { dir: string; k: number } | null): Promise<void> {
    const { progress, hidden } = this.o;
    const push = <T>(m: Map<string, T[]>, k: string, v: T) => (m.get(k) ?? m.set(k, []).get(k)!).push(v);
    await runPlan({
      tasks: this.o.tasks,
      plan,
      daemonConfig: this.o.config,
      stateRoot: this.o.stateRoot,
      foldBundles,
      lanes: this.o.lanes,
      onStrategyStart: (s) => progress.strategyStart(s),
      onAnswer: (s, a) => {
        if (a.result) push(this.overhead, s, Math.max(0, a.result.latencyMs - modelTimeMs(a.result)));
        push(this.answered, s, a);
        push(this.judged, s, hidden.verdicts(a.task, a.result?.code ?? '').then((v) => (progress.judged1(), v)));
        progress.answer(s);
      },
      onStrategyDone: (s, answers) => progress.strategyDone(s, answers.filter((a) => a.error).length),
    });
  }

  verdicts(strategy: string): Promise<Verdicts[]> {
    return Promise.all(this.judged.get(strategy) ?? []);
  }
}
