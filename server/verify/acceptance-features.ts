// What one passing answer already shows about itself, as the numbers learned acceptance reads
// (routing/acceptance.ts scores them, fit/acceptance-fit.ts learns the weights). ONE function for
// the daemon (live fingerprints: a hash, "!<Exception>", null when out of time) and the fit
// (recorded fingerprints interned per task: >= 0 a value, <= -2 an exception, -1 out of time), so
// a request is scored on the same numbers wherever it is routed
// (test/routing/cascade-rule-parity.test.ts replays the shipped tasks through both).
// Every feature is scaled to about [0, 1] by fixed caps and logs, never by data statistics.
import type { ProbeOutputs } from './agreement';

/** The evidence of one answer, from the call and the one sandbox run on its derived inputs. */
export interface AnswerEvidence {
  /** Extracted tests found for the request, and how many of them the answer passed. */
  tests: number;
  testsPassed: number;
  /** Its results on the inputs derived from the examples; null when none could be derived. */
  probe: ProbeOutputs | null;
  promptTokens: number;
  outputTokens: number;
  /** The answering model's size (billions of parameters). */
  paramsB: number;
}

export const ANSWER_FEATURE_NAMES: readonly string[] = [
  'model_ln_params', // ln(size) / ln(405): larger models' passing answers are more often right
  'tests', // min(tests, 10) / 10: more examples, a stricter check
  'probed', // 1 when inputs could be derived from the examples
  'probe_inputs', // derived inputs / 32
  'probe_raised', // share of derived inputs on which the answer raised
  'probe_timeouts', // share with no result in time
  'probe_distinct', // distinct results / inputs with a result: a constant answer to varied inputs is suspect
  'probe_constant', // 1 when every result is the same
  'answer_tokens', // ln(1 + output tokens) / ln(2048)
  'answer_vs_prompt', // ln((1 + output) / (1 + prompt tokens)) / 4, clipped to [-1, 1]
];

const LN405 = Math.log(405);
const LN2048 = Math.log(2048);

const timedOut = (x: string | number | null) => x === null || x === -1;
const raised = (x: string | number | null) => (typeof x === 'string' ? x.startsWith('!') : typeof x === 'number' && x <= -2);

/** The answer features, in ANSWER_FEATURE_NAMES order. */
export function answerFeatures(e: AnswerEvidence): number[] {
  const p = e.probe;
  const n = p?.length ?? 0;
  let outOfTime = 0;
  let exceptions = 0;
  const distinct = new Set<string | number>();
  for (let i = 0; i < n; i++) {
    const x = p![i];
    if (timedOut(x)) outOfTime++;
    else {
      if (raised(x)) exceptions++;
      distinct.add(x as string | number);
    }
  }
  const results = n - outOfTime;
  return [
    Math.log(Math.max(0.1, e.paramsB)) / LN405,
    Math.min(e.tests, 10) / 10,
    n > 0 ? 1 : 0,
    n / 32,
    n ? exceptions / n : 0,
    n ? outOfTime / n : 0,
    results ? distinct.size / results : 0,
    results > 0 && distinct.size === 1 ? 1 : 0,
    Math.log1p(Math.max(0, e.outputTokens)) / LN2048,
    Math.max(-1, Math.min(1, Math.log((1 + Math.max(0, e.outputTokens)) / (1 + Math.max(0, e.promptTokens))) / 4)),
  ];
}
