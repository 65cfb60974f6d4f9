// Where training gets a request's extracted tests. The checks module's `extractTests` is being
// written in parallel; until it exists we count `>>>` doctest examples ourselves. Everything goes
// through `testsFor` so the extractor can be swapped without touching features or training, and
// `extractorName()` lets the model card say which one produced the committed weights.
import type { ExtractedTest } from '../checks/types';
import type { Language } from '../../shared/protocol';

type ExtractFn = (input: {
  language: Language;
  uri: string;
  text: string;
  functionName: string;
  related: { uri: string; text: string }[];
}) => ExtractedTest[] | Promise<ExtractedTest[]>;

let cached: ExtractFn | null | undefined;

function checksExtractor(): ExtractFn | null {
  if (cached !== undefined) return cached;
  cached = null;
  if (process.env.ROUTERLLM_ROUTING_FALLBACK_EXTRACTOR === '1') return cached;
  try {
    // Resolved at run time on purpose: the module may not exist yet in this tree.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('../checks/extract/index') as { extractTests?: ExtractFn };
    if (typeof mod.extractTests === 'function') cached = mod.extractTests;
  } catch {
    cached = null;
  }
  return cached;
}

export function extractorName(): string {
  return checksExtractor() ? 'server/checks/extract extractTests' : 'routing fallback (counts >>> doctest lines)';
}

/** Doctest examples in a prompt: one ExtractedTest per `>>>` line. */
export function countDoctests(prompt: string, uri = 'prompt.py'): ExtractedTest[] {
  const out: ExtractedTest[] = [];
  const lines = prompt.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*>>>\s?(.*)$/.exec(lines[i]);
    if (m) out.push({ name: m[1].trim(), kind: 'doctest', source: { uri, line: i }, code: '' });
  }
  return out;
}

export async function testsFor(language: Language, prompt: string, functionName: string): Promise<ExtractedTest[]> {
  const extract = checksExtractor();
  if (extract) {
    try {
      return await extract({ language, uri: 'prompt.py', text: prompt, functionName, related: [] });
    } catch {
      // An extractor bug must not stop training; the fallback is what it replaces.
    }
  }
  return countDoctests(prompt);
}
