// Request features for the routers. One place documents them: FEATURE_SPECS below (name, range,
// meaning); FEATURE_NAMES is derived from it and the model card prints the same table.
// Every feature is scaled to roughly [0, 1] here (logs and caps, no data-dependent statistics) so
// the online bandit can use the raw vector; the trained models also standardise on top of that.
// Speed matters (routing p50 < 0.2 ms): one lower-casing, a fixed set of precompiled regexes, and
// the scanned text is capped at the last SCAN_CHARS characters of the prompt.
import type { RequestContext } from './types';
import { CATALOGUE } from '../config/catalogue';

export interface FeatureSpec {
  name: string;
  doc: string;
}

/** Vocabulary groups, matched on the lower-cased docstring (the prompt when there is none);
 * value = min(matches, 3) / 3. Why: task wording predicts which small models fail. */
const VOCAB: readonly { name: string; src: string; doc: string }[] = [
  { name: 'v_loop', src: String.raw`for each|each|every|iterate|loop|all`, doc: 'iteration words: each, every, iterate, loop, all' },
  { name: 'v_recursion', src: String.raw`recurs\w*|factorial|recurrence`, doc: 'recursion words: recursive, factorial, recurrence' },
  { name: 'v_sort', src: String.raw`sort\w*|order\w*|ascending|descending|largest|smallest|max\w*|min\w*`, doc: 'ordering: sort, order, ascending, largest, max, min' },
  { name: 'v_dict', src: String.raw`dict\w*|map\w*|keys?|values?|hash\w*`, doc: 'mapping: dict, map, key, value, hash' },
  { name: 'v_list', src: String.raw`lists?|arrays?|elements?|sequences?|tuples?|vectors?`, doc: 'collections: list, array, element, sequence, tuple' },
  { name: 'v_string', src: String.raw`strings?|char\w*|substrings?|words?|letters?|vowels?|consonants?|upper\w*|lower\w*|palindrom\w*|prefix|suffix`, doc: 'string operations: string, char, substring, word, vowel, upper, palindrome' },
  { name: 'v_count', src: String.raw`count\w*|how many|number of|frequenc\w*|occurr\w*`, doc: 'counting: count, how many, number of, frequency' },
  { name: 'v_math', src: String.raw`sum|product|digits?|integers?|divisib\w*|modul\w*|remainder|power|sqrt|square\w*|even|odd|numbers?`, doc: 'arithmetic: sum, product, digit, integer, divisible, modulo, even, odd' },
  { name: 'v_parse', src: String.raw`regex\w*|patterns?|pars\w*|brackets?|parenthes\w*|nested|nesting`, doc: 'parsing: regex, pattern, parse, bracket, parenthesis, nested' },
  { name: 'v_prime', src: String.raw`primes?`, doc: '"prime"' },
  { name: 'v_fibonacci', src: String.raw`fibonacci|fib\w*|tribonacci`, doc: '"fibonacci", fib, tribonacci' },
  { name: 'v_float', src: String.raw`float\w*|decimals?|round\w*|precision|average|mean`, doc: 'floating point: float, decimal, round, average, mean' },
  { name: 'v_edge', src: String.raw`empty|none|null|negative|zero|invalid|edge`, doc: 'edge cases: empty, none, negative, zero, invalid' },
  { name: 'v_condition', src: String.raw`if|otherwise|unless|else|only|except`, doc: 'conditions: if, otherwise, unless, else, only' },
  { name: 'v_cipher', src: String.raw`encod\w*|decod\w*|shift\w*|cipher|encrypt\w*|rotat\w*|binary|base|hex\w*`, doc: 'encodings: encode, decode, shift, cipher, binary, base, hex' },
  { name: 'v_geometry', src: String.raw`triangle|area|angle|sides?|distance|circle|points?|planets?`, doc: 'geometry: triangle, area, angle, side, distance, circle' },
];

// All groups in one regex, one capture group each: a single pass over the text instead of 16.
// A word counts for the first group (in VOCAB order) whose pattern matches it.
const RE_VOCAB = new RegExp(VOCAB.map((v) => `\\b(${v.src.replace(/\((?!\?)/g, '(?:')})\\b`).join('|'), 'g');

const RE_LOOP_KW = /\b(for|while)\b/g;
const RE_BRANCH_KW = /\b(if|elif|else|switch|case)\b/g;
const RE_DEF = /^\s*(?:async\s+)?(?:def|function|class)\s+\w|^\s*(?:export\s+)?(?:const|let)\s+\w+\s*=\s*(?:async\s*)?\(/gm;
const RE_IMPORT = /^\s*(?:import|from)\s+\S/gm;
const RE_SENTENCE = /[.!?](\s|$)/g;
const SCAN_CHARS = 4000;
const HISTORY = 8;

export const FEATURE_SPECS: readonly FeatureSpec[] = [
  { name: 'kind_implement', doc: '1 for an implement-function request, 0 for inline completion' },
  { name: 'lang_python', doc: '1 when the language is Python' },
  { name: 'lang_typescript', doc: '1 when the language is TypeScript' },
  { name: 'lang_javascript', doc: '1 when the language is JavaScript' },
  { name: 'prompt_chars', doc: 'ln(1 + prompt characters) / 10' },
  { name: 'prompt_lines', doc: 'ln(1 + prompt lines) / 5' },
  { name: 'signature_chars', doc: 'ln(1 + signature characters) / 6 (0 without a signature)' },
  { name: 'n_params', doc: 'parameters in the signature, min(n, 8) / 8' },
  { name: 'typed_signature', doc: '1 when the signature carries type annotations (":" or "->")' },
  { name: 'docstring_chars', doc: 'ln(1 + docstring characters) / 8' },
  { name: 'docstring_words', doc: 'ln(1 + docstring words) / 6' },
  { name: 'docstring_sentences', doc: 'sentences in the docstring, min(n, 10) / 10' },
  { name: 'tests', doc: 'extracted tests and examples, ln(1 + n) / 3' },
  { name: 'tests_doctest', doc: 'doctest-style examples, min(n, 10) / 10' },
  { name: 'tests_assert', doc: 'assert statements, min(n, 10) / 10' },
  { name: 'tests_function', doc: 'test functions / it() blocks, min(n, 10) / 10' },
  { name: 'tests_jsdoc', doc: 'JSDoc @example tests, min(n, 10) / 10' },
  { name: 'has_tests', doc: '1 when at least one test was extracted (something to verify)' },
  { name: 'defs_in_prompt', doc: 'functions/classes defined in the prompt beyond the target, min(n, 4) / 4' },
  { name: 'imports', doc: 'import lines in the prompt, min(n, 5) / 5' },
  { name: 'ident_unique', doc: 'distinct identifiers in the prompt, ln(1 + n) / 5' },
  { name: 'ident_mean_len', doc: 'mean identifier length / 10' },
  { name: 'fn_name_parts', doc: 'words in the function name (snake_case / camelCase parts), min(n, 6) / 6' },
  { name: 'code_loops', doc: 'for/while keywords in the prompt, min(n, 5) / 5' },
  { name: 'code_branches', doc: 'if/elif/else/switch/case keywords in the prompt, min(n, 5) / 5' },
  ...VOCAB.map((v) => ({ name: v.name, doc: `${v.doc}; min(matches, 3) / 3 over the docstring` })),
  { name: 'hist_n', doc: `session history length, min(n, ${HISTORY}) / ${HISTORY}` },
  { name: 'hist_pass_rate', doc: `pass rate of the last ${HISTORY} requests with a known outcome (0.5 when none)` },
  { name: 'hist_last_failed', doc: '1 when the previous request failed its tests' },
  { name: 'hist_reject_rate', doc: `share of the last ${HISTORY} requests the user rejected or edited` },
  { name: 'hist_model_size', doc: `mean ln(paramsB) / ln(405) of the models used for the last ${HISTORY} requests` },
];

export const FEATURE_NAMES: readonly string[] = FEATURE_SPECS.map((f) => f.name);
export const FEATURE_COUNT = FEATURE_NAMES.length;

const LN405 = Math.log(405);
const PARAMS = new Map(CATALOGUE.map((m) => [m.id, m.paramsB]));

function count(re: RegExp, text: string, cap: number): number {
  re.lastIndex = 0;
  let n = 0;
  while (n < cap && re.exec(text) !== null) n++;
  re.lastIndex = 0;
  return n;
}

function paramCount(signature: string): number {
  const open = signature.indexOf('(');
  const close = signature.lastIndexOf(')');
  if (open < 0 || close <= open + 1) return 0;
  let depth = 0;
  let n = 1;
  for (let i = open + 1; i < close; i++) {
    const c = signature[i];
    if (c === '(' || c === '[' || c === '{' || c === '<') depth++;
    else if (c === ')' || c === ']' || c === '}' || c === '>') depth--;
    else if (c === ',' && depth === 0) n++;
  }
  return n;
}

function lineCount(text: string): number {
  let n = 1;
  for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) n++;
  return n;
}

const isIdentStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isIdentPart = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57);

/** Identifiers ([A-Za-z_]\w*) by a char-code scan; distinct ones counted by a 32-bit FNV hash
 * (a regex plus a Set of substrings cost ~10x more and this runs on every keystroke's request). */
function identifierStats(text: string): { unique: number; count: number; chars: number } {
  const seen = new Set<number>();
  let count = 0, chars = 0;
  for (let k = 0; k < text.length; ) {
    const c = text.charCodeAt(k);
    if (!isIdentStart(c) || (k > 0 && isIdentPart(text.charCodeAt(k - 1)))) {
      k++;
      continue;
    }
    let h = 0x811c9dc5;
    const start = k;
    for (; k < text.length; k++) {
      const d = text.charCodeAt(k);
      if (!isIdentPart(d)) break;
      h = Math.imul(h ^ d, 0x01000193);
    }
    seen.add(h);
    count++;
    chars += k - start;
  }
  return { unique: seen.size, count, chars };
}

function nameParts(name: string): number {
  return name.split(/_+|(?<=[a-z0-9])(?=[A-Z])/).filter(Boolean).length;
}

/** The feature vector of a request, in FEATURE_NAMES order. */
export function extractFeatures(req: RequestContext): Float32Array {
  const f = new Float32Array(FEATURE_COUNT);
  let i = 0;
  const prompt = req.prompt.length > SCAN_CHARS ? req.prompt.slice(-SCAN_CHARS) : req.prompt;
  const sig = req.signature ?? '';
  const doc = req.docstring ?? '';
  const words = doc ? doc.split(/\s+/).filter(Boolean).length : 0;

  f[i++] = req.kind === 'implement' ? 1 : 0;
  f[i++] = req.language === 'python' ? 1 : 0;
  f[i++] = req.language === 'typescript' ? 1 : 0;
  f[i++] = req.language === 'javascript' ? 1 : 0;
  f[i++] = Math.log1p(req.prompt.length) / 10;
  f[i++] = Math.log1p(lineCount(prompt)) / 5;
  f[i++] = Math.log1p(sig.length) / 6;
  f[i++] = Math.min(paramCount(sig), 8) / 8;
  // Without the Python def's own trailing colon, which is not an annotation.
  const params = sig.replace(/:\s*$/, '');
  f[i++] = /:|->/.test(params.slice(params.indexOf('(') + 1)) ? 1 : 0;
  f[i++] = Math.log1p(doc.length) / 8;
  f[i++] = Math.log1p(words) / 6;
  f[i++] = Math.min(count(RE_SENTENCE, doc, 10), 10) / 10;

  let doctest = 0, asserts = 0, fns = 0, jsdoc = 0;
  for (const t of req.tests) {
    if (t.kind === 'doctest') doctest++;
    else if (t.kind === 'assert') asserts++;
    else if (t.kind === 'test-function') fns++;
    else jsdoc++;
  }
  f[i++] = Math.log1p(req.tests.length) / 3;
  f[i++] = Math.min(doctest, 10) / 10;
  f[i++] = Math.min(asserts, 10) / 10;
  f[i++] = Math.min(fns, 10) / 10;
  f[i++] = Math.min(jsdoc, 10) / 10;
  f[i++] = req.tests.length > 0 ? 1 : 0;

  f[i++] = Math.min(Math.max(count(RE_DEF, prompt, 5) - 1, 0), 4) / 4;
  f[i++] = Math.min(count(RE_IMPORT, prompt, 5), 5) / 5;

  const ids = identifierStats(prompt);
  f[i++] = Math.log1p(ids.unique) / 5;
  f[i++] = ids.count ? ids.chars / ids.count / 10 : 0;
  f[i++] = Math.min(req.functionName ? nameParts(req.functionName) : 0, 6) / 6;
  f[i++] = Math.min(count(RE_LOOP_KW, prompt, 5), 5) / 5;
  f[i++] = Math.min(count(RE_BRANCH_KW, prompt, 5), 5) / 5;

  const text = (doc || prompt).toLowerCase();
  const hits = new Uint8Array(VOCAB.length);
  RE_VOCAB.lastIndex = 0;
  for (let m = RE_VOCAB.exec(text); m !== null; m = RE_VOCAB.exec(text)) {
    for (let g = 1; g < m.length; g++) {
      if (m[g] !== undefined) {
        if (hits[g - 1] < 3) hits[g - 1]++;
        break;
      }
    }
  }
  for (let g = 0; g < VOCAB.length; g++) f[i++] = hits[g] / 3;

  const recent = req.history.length > HISTORY ? req.history.slice(-HISTORY) : req.history;
  let known = 0, passed = 0, rejected = 0, size = 0;
  for (const h of recent) {
    if (h.passed !== null) {
      known++;
      if (h.passed) passed++;
    }
    if (h.feedback === 'rejected' || h.feedback === 'edited') rejected++;
    size += Math.log(PARAMS.get(h.model) ?? 7) / LN405;
  }
  f[i++] = recent.length / HISTORY;
  f[i++] = known ? passed / known : 0.5;
  f[i++] = recent.length && recent[recent.length - 1].passed === false ? 1 : 0;
  f[i++] = recent.length ? rejected / recent.length : 0;
  f[i++] = recent.length ? size / recent.length : 0;
  return f;
}

/** Markdown table of the features, for the model card. */
export function featureTable(): string {
  return ['| # | feature | meaning |', '|---|---|---|', ...FEATURE_SPECS.map((s, k) => `| ${k} | ${s.name} | ${s.doc} |`)].join('\n');
}
