// Token counting for servers that do not report usage. No tokenizer ships with the daemon (each
// model family has its own vocabulary), so this is a documented approximation of byte-level BPE:
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
