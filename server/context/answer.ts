// Turns a model's answer into code: pick the fenced block that defines the function (models often
// add prose, several blocks, or stop mid-block at the token limit), then cut out the function's
// body re-indented for the user's file.
import type { Language } from '../../shared/protocol';
import type { FunctionAtCursor } from './types';

const FENCE = /```[ \t]*([\w+-]*)[ \t]*\r?\n([\s\S]*?)(?:```|$)/g;
/** Every fence in an answer, with the language tag written right after it (empty for a bare one). */
const FENCE_TAG = /```[ \t]*([\w+-]*)/g;
/** Text that starts like code rather than prose: an indented line (a continued function body) or
 * a line opening with a keyword of Python or TypeScript. */
const CODE_LIKE = /^([ \t]+\S|(def|async|class|import|from|return|@\w|function|const|let|var|export|if|for|while|try|with|yield|raise)\b)/m;

function definesFunction(code: string, name: string, language: Language): boolean {
  const n = name.replace(/\$/g, '\\$');
  return language === 'python'
    ? new RegExp(`^\\s*(async\\s+)?def\\s+${n}\\s*\\(`, 'm').test(code)
    : new RegExp(`(function\\s*\\*?\\s*${n}\\s*[<(]|(const|let|var)\\s+${n}\\s*(:[^=]+)?=)`).test(code);
}

/** The code an answer opens with when it continues a prompt that ended in an opening fence (a chat
 * template's "```python\n"): the text before the answer's first fence, when that fence is a bare
 * one closing it. It is one when the text looks like code and the fences do not pair up otherwise
 * (an odd count, or a tagged fence where a closing one would be). Null when the answer opens a
 * block of its own (prose then a fence, or a fence first). */
function leadingBlock(answer: string): { code: string; rest: string } | null {
  const tags = [...answer.matchAll(FENCE_TAG)];
  if (!tags.length) return null;
  const first = tags[0]!;
  const before = answer.slice(0, first.index);
  const lineEnd = answer.indexOf('\n', first.index);
  const restOfLine = answer.slice(first.index! + 3, lineEnd < 0 ? answer.length : lineEnd);
  if (restOfLine.trim() || !before.trim() || !CODE_LIKE.test(before.replace(/^\s*\n/, ''))) return null;
  const unpaired = tags.length % 2 === 1 || tags.some((t, i) => i % 2 === 1 && t[1]);
  if (!unpaired) return null;
  return { code: before, rest: lineEnd < 0 ? '' : answer.slice(lineEnd + 1) };
}

const asBlock = (code: string): string => code.replace(/^\s*\n/, '').replace(/\s+$/, '') + '\n';

/** The code in an answer: the fenced block defining `name`, else the first block, else the text.
 * A block may be closed by a lone fence with no opening one (the answer continues a prompt that
 * opened it); prose after a closing fence is never code; a block cut off at the token limit runs
 * to the end of the answer. */
export function extractCode(answer: string, language: Language, name: string): string {
  const lead = leadingBlock(answer);
  const rest = lead ? lead.rest : answer;
  const blocks = [...(lead ? [asBlock(lead.code)] : []), ...[...rest.matchAll(FENCE)].map((m) => m[2]!.replace(/\s+$/, '') + '\n')];
  if (!blocks.length) return answer.replace(/^\s*\n/, '');
  return blocks.find((b) => definesFunction(b, name, language)) ?? blocks[0]!;
}

/** Where a streamed answer is complete for implementing `name`: just past the line of the closing
 * fence of the first fenced block that defines it. extractCode takes the first block defining the
 * function, so nothing after that point can change the code it returns, and the prose that
 * usually follows (often half the answer) need not be generated. Null while no such block has
 * closed, and always for an answer whose first fence is bare and follows text that looks like
 * code (it may close a block continuing the prompt, which only the whole answer's fences tell). */
export function codeEnd(answer: string, language: Language, name: string): number | null {
  const first = answer.indexOf('```');
  if (first < 0) return null;
  // The case leadingBlock decides by the whole answer's fences: a bare first fence after text
  // that looks like code.
  const lineEnd = answer.indexOf('\n', first);
  const bare = lineEnd >= 0 && !answer.slice(first + 3, lineEnd).trim();
  const before = answer.slice(0, first);
  if (bare && before.trim() && CODE_LIKE.test(before.replace(/^\s*\n/, ''))) return null;
  for (const m of answer.matchAll(FENCE)) {
    const end = m.index! + m[0].length;
    // Closed by a fence (not by the end of the text so far), and that fence's line is complete.
    if (!m[0].endsWith('```')) return null;
    const closeEnd = answer.indexOf('\n', end);
    if (closeEnd < 0) return null;
    if (definesFunction(m[2]!, name, language)) return closeEnd + 1;
  }
  return null;
}

function reindent(lines: string[], indent: string): string[] {
  const widths = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
  const strip = widths.length ? Math.min(...widths) : 0;
  return lines.map((l) => (l.trim() ? indent + l.slice(strip) : ''));
}

function pythonBody(code: string, name: string): string[] | null {
  const lines = code.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^\\s*(async\\s+)?def\\s+${name}\\s*\\(`).test(l));
  if (start < 0) return null;
  const indent = /^\s*/.exec(lines[start]!)![0].length;
  let i = start;
  let depth = 0;
  for (; i < lines.length; i++) {
    for (const ch of lines[i]!.replace(/#.*$/, '')) depth += '([{'.includes(ch) ? 1 : ')]}'.includes(ch) ? -1 : 0;
    if (depth <= 0 && /:\s*(#.*)?$/.test(lines[i]!)) break;
  }
  const body: string[] = [];
  for (let j = i + 1; j < lines.length; j++) {
    const l = lines[j]!;
    if (l.trim() && /^\s*/.exec(l)![0].length <= indent) break;
    body.push(l);
  }
  // The user's file already holds the docstring: drop the model's copy.
  const first = body.findIndex((l) => l.trim());
  if (first >= 0 && /^\s*[rRbBuU]?("""|''')/.test(body[first]!)) {
    const q = /("""|''')/.exec(body[first]!)![1]!;
    const rest = body[first]!.slice(body[first]!.indexOf(q) + 3);
    let end = first;
    if (!rest.includes(q)) while (end + 1 < body.length && !body[++end]!.includes(q));
    body.splice(0, end + 1);
  }
  while (body.length && !body[body.length - 1]!.trim()) body.pop();
  return body;
}

function braceBody(code: string, name: string): string[] | null {
  const decl = new RegExp(`(function\\s*\\*?\\s*${name.replace(/\$/g, '\\$')}\\s*[<(]|(const|let|var)\\s+${name.replace(/\$/g, '\\$')}\\b)`).exec(code);
  if (!decl) return null;
  const open = code.indexOf('{', decl.index);
  if (open < 0) return null;
  let depth = 0;
  let close = code.length;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '{') depth++;
    else if (code[i] === '}' && --depth === 0) {
      close = i;
      break;
    }
  }
  const lines = code.slice(open + 1, close).split('\n');
  if (!lines[0]!.trim()) lines.shift();
  while (lines.length && !lines[lines.length - 1]!.trim()) lines.pop();
  return lines;
}

/** The body to insert after the user's header: a newline then the re-indented statements. For
 * brace languages the closing brace stays the user's. A bare body (completion models) is used as is. */
export function bodyOf(code: string, fn: FunctionAtCursor): string {
  const raw = fn.language === 'python' ? pythonBody(code, fn.name) : braceBody(code, fn.name);
  const lines = raw ?? code.replace(/\s+$/, '').split('\n');
  const body = reindent(lines, fn.bodyIndent).join('\n');
  return fn.language === 'python' ? `\n${body}` : `\n${body}\n${fn.bodyIndent.slice(0, -2)}`;
}

/** The program the checks run: the file's preamble, then the model's code (or the user's header
 * with the generated body when the model wrote only a body). */
export function candidateProgram(fn: FunctionAtCursor, code: string): string {
  if (definesFunction(code, fn.name, fn.language)) return `${fn.preamble}\n${code}`;
  const body = bodyOf(code, fn);
  return fn.language === 'python' ? `${fn.preamble}\n${fn.header}${body}\n` : `${fn.preamble}\n${fn.header}${body}}\n`;
}
