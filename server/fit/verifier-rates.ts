// How good a verifier the extracted tests are, and how much agreement adds, measured against our
// hidden-test judge on a fleet's observations. Per model:
//   tests alone     accept an answer when it passes the tests found in the prompt;
//   tests+agreement accept it when it also agrees, on the inputs derived from the examples, with
//                   at least one other model's answer that passes the tests (no derived inputs:
//                   the tests alone decide, as in the daemon).
// A false accept is an accepted answer the hidden tests fail; a false reject a rejected answer
// they pass. Tasks whose prompt has no tests are left out (nothing verifies them).
import { agreeing } from './cascade-fit';
import type { FleetObservations } from './observations';

export interface VerifierRow {
  model: string;
  /** Tasks with extracted tests. */
  tasks: number;
  testsFalseAccepts: number;
  testsFalseRejects: number;
  agreementFalseAccepts: number;
  agreementFalseRejects: number;
  /** Answers run on derived inputs (one sandbox run each). */
  probed: number;
  derivedInputs: number;
}

export function verifierRates(o: FleetObservations): VerifierRow[] {
  return o.models.map((model, m) => {
    const row: VerifierRow = { model: model.id, tasks: 0, testsFalseAccepts: 0, testsFalseRejects: 0, agreementFalseAccepts: 0, agreementFalseRejects: 0, probed: 0, derivedInputs: 0 };
    o.obs.forEach((r) => {
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
    });
    return row;
  });
}

export function verifierTable(rows: readonly VerifierRow[]): string {
  const sum = (k: keyof VerifierRow) => rows.reduce((s, r) => s + (r[k] as number), 0);
  const lines = rows.map((r) => `| ${r.model} | ${r.tasks} | ${r.testsFalseAccepts} | ${r.agreementFalseAccepts} | ${r.testsFalseRejects} | ${r.agreementFalseRejects} | ${r.probed} |`);
  return [
    '| model | tasks with tests | false accepts: tests | false accepts: tests + agreement | false rejects: tests | false rejects: tests + agreement | answers probed |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...lines,
    `| all | ${sum('tasks')} | ${sum('testsFalseAccepts')} | ${sum('agreementFalseAccepts')} | ${sum('testsFalseRejects')} | ${sum('agreementFalseRejects')} | ${sum('probed')} |`,
  ].join('\n');
}
