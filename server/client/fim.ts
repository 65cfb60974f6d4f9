// Fill-in-the-middle prompts, built in the daemon from each model family's own sentinel tokens.
// We never send the OpenAI `suffix` field: vLLM's /v1/completions rejects it, and the engines
// that accept it each apply their own template (field notes). Sentinels are written in PSM order
// (prefix, suffix, middle), the order every family here was trained on.
import type { FimFamily } from '../config/schema';

export interface FimPrompt {
  prompt: string;
  /** The family's end-of-infill / end-of-text tokens, in case the server does not stop on its own
   * special tokens. Kept short: TGI refuses more than 4 stop sequences by default. */
  stop: string[];
}

// DeepSeek-Coder's sentinels use FULLWIDTH VERTICAL LINE (U+FF5C) and LOWER ONE EIGHTH BLOCK
// (U+2581), not ASCII '|' and '_': an ASCII look-alike is tokenised as plain text.
const DS_BEGIN = '<\uff5cfim\u2581begin\uff5c>';
const DS_HOLE = '<\uff5cfim\u2581hole\uff5c>';
const DS_END = '<\uff5cfim\u2581end\uff5c>';
const DS_EOS = '<\uff5cend\u2581of\u2581sentence\uff5c>';

export function buildFimPrompt(family: FimFamily, prefix: string, suffix: string): FimPrompt {
  switch (family) {
    case 'deepseek-coder':
      return { prompt: `${DS_BEGIN}${prefix}${DS_HOLE}${suffix}${DS_END}`, stop: ['<|EOT|>', DS_EOS] };
    case 'codellama':
      // Meta's infilling format: a space after <PRE> and before <SUF>/<MID> is part of the template.
      return { prompt: `<PRE> ${prefix} <SUF>${suffix} <MID>`, stop: ['<EOT>'] };
    case 'starcoder':
      return { prompt: `<fim_prefix>${prefix}<fim_suffix>${suffix}<fim_middle>`, stop: ['<|endoftext|>', '<file_sep>'] };
    case 'qwen-coder':
      return { prompt: `<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`, stop: ['<|endoftext|>', '<|fim_pad|>', '<|file_sep|>'] };
    case 'llama':
    case 'none':
      // No infilling training: the best we can do is continue the prefix; the suffix is dropped.
      return { prompt: prefix, stop: [] };
  }
}

/** The instruction sent instead when a FIM request goes to a chat-only endpoint. */
export const FIM_CURSOR = '<CURSOR>';
export function buildFimChat(prefix: string, suffix: string): { system: string; user: string } {
  return {
    system:
      'You are a code completion engine. Reply with only the code that belongs at the cursor: no explanation, no markdown fences, and do not repeat the code around it.',
    user: `Fill in the code at ${FIM_CURSOR} in this file.\n\n${prefix}${FIM_CURSOR}${suffix}`,
  };
}
