// How good a verifier the extracted tests are, and how much agreement adds, measured against our
// hidden-test judge on a fleet's observations. Per model:
//   tests alone     accept an answer when it passes the tests found in the prompt;
//   tests+agreement accept it when it also agrees, on the inputs derived from the examples, with
//                   at least one other model's answer that passes the tests (no derived inputs:
//                   the tests alone decide, as in the daemon).
//   learned         accept it when it passes the tests and learned acceptance (fit/acceptance-fit.ts)
//                   gives it at least its fitted threshold; held out: each task scored by the
//                   model and threshold fitted on the other folds (the evaluation's folds).
// A false accept is an accepted answer the hidden tests fail; a false reject a rejected answer
// they pass. Tasks whose prompt has no tests are left out (nothing verifies them).
import { agreeing } from './cascade-fit';
import type { FleetObservations } from './observations';
import { foldsByTask } from './folds';
import { fitCascade } from './cascade-fit';
import { evidenceOf, withAcceptance } from './acceptance-fit';
import { pCorrect } from '../routing/acceptance';

export interface VerifierRow {
  model: string;
  /** Tasks with extracted tests. */
  tasks: number;
  testsFalseAccepts: number;
  testsFalseRejects: number;
  agreementFalseAccepts: number;
  agreementFalseRejects: number;
  learnedFalseAccepts: number;
  learnedFalseRejects: number;
  /** Answers run on derived inputs (one sandbox run each). */
  probed: number;
  derivedInputs: number;
}

/** Held-out learned acceptance: accepted[t][m] for passing answers (k folds by task, as the evaluation). */
export function learnedAccepts(o: FleetObservations, k = 5, seed = 1): boolean[][] {
  const folds = foldsByTask(o.tasks.map((t) => t.id), k, seed);
  const accepted = o.obs.map((r) => r.map((x) => x.visible === 1));
  for (let f = 0; f < k; f++) {
    const train = o.tasks.map((_, t) => t).filter((t) => folds.get(o.tasks[t].id) !== f);
    const test = o.tasks.map((_, t) => t).filter((t) => folds.get(o.tasks[t].id) === f);
    if (!train.length || !test.length) continue;
    const a = withAcceptance(o, train, fitCascade(o, train, seed + f), seed + f).acceptance!;
    if (a.threshold === null) continue; // acceptance did not pay in-fold: the tests alone decide
    for (const t of test)
      o.models.forEach((model, m) => {
        if (o.obs[t][m].visible !== 1) return;
        const p = pCorrect(a, model.id, evidenceOf(o, t, m), o.tasks[t].features);
        accepted[t][m] = p === null || p >= a.threshold!;
      });
  }
  return accepted;
}

export function verifierRates(o: FleetObservations, k = 5, seed = 1): VerifierRow[] {
  const learned = learnedAccepts(o, k, seed);
  return o.models.map((model, m) => {
    const row: VerifierRow = { model: model.id, tasks: 0, testsFalseAccepts: 0, testsFalseRejects: 0, agreementFalseAccepts: 0, agreementFalseRejects: 0, learnedFalseAccepts: 0, learnedFalseRejects: 0, probed: 0, derivedInputs: 0 };
    o.obs.forEach((r, t) => {
      const x = r[m];
      if (x.visible === -1) return;
      row.tasks++;
      if (x.probe) {
        row.probed++;
        row.derivedInputs += x.probe.length;
      }
      const byTests = x.visible === 1;
      const byAgreement = byTests && (!x.probe || r.some((y, j) => j !== m && y.visible === 1 && agreeing(y.probe ?? null, x.probe!)));
      if (byTests && !x.passed) row.testsFalseAccepts++;
      if (!byTests && x.passed) row.testsFalseRejects++;
      if (byAgreement && !x.passed) row.agreementFalseAccepts++;
      if (!byAgreement && x.passed) row.agreementFalseRejects++;
      if (learned[t][m] && !x.passed) row.learnedFalseAccepts++;
      if (!learned[t][m] && x.passed) row.learnedFalseRejects++;
    });
    return row;
  });
}

export function verifierTable(rows: readonly VerifierRow[]): string {
  const sum = (k: keyof VerifierRow) => rows.reduce((s, r) => s + (r[k] as number), 0);
  const lines = rows.map((r) => `| ${r.model} | ${r.tasks} | ${r.testsFalseAccepts} | ${r.agreementFalseAccepts} | ${r.learnedFalseAccepts ?? 'n/a'} | ${r.testsFalseRejects} | ${r.agreementFalseRejects} | ${r.learnedFalseRejects ?? 'n/a'} | ${r.probed} |`);
  return [
    '| model | tasks with tests | false accepts: tests | false accepts: tests + agreement | false accepts: learned acceptance | false rejects: tests | false rejects: tests + agreement | false rejects: learned acceptance | answers probed |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...lines,
    `| all | ${sum('tasks')} | ${sum('testsFalseAccepts')} | ${sum('agreementFalseAccepts')} | ${sum('learnedFalseAccepts')} | ${sum('testsFalseRejects')} | ${sum('agreementFalseRejects')} | ${sum('learnedFalseRejects')} | ${sum('probed')} |`,
    '',
    'Learned acceptance: accepted when it passes the tests and the acceptance model fitted on the other folds (features of the answer, its run on the derived inputs, the model and the request) gives it at least the threshold fitted there by inner CV; a fold where no threshold paid in-fold accepts on the tests alone.',
  ].join('\n');
}
