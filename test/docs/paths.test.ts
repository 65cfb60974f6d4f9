// Docs that stay true: every file or folder a user- or developer-facing document names exists.
//
// Checked documents: README.md, docs/*.md and every server/**/README.md. CHANGELOG.md is not
// checked: history names files as they were.
//
// What counts as a named path:
//   1. a path rooted at one of the repository's folders (`server/...`, `shared/...`, `extension/...`,
//      `test/...`, `docs/...`, `scripts/...`, `models/...`, `data/...`, `images/...`, `bin/...`,
//      `deploy/...`, `.ci/...`), anywhere in the text, fenced blocks included; resolved against the
//      repository root;
//   2. the target of a relative markdown link or image, `[x](path)`, resolved against the document's folder;
//   3. a code span (outside fenced blocks) that is a relative file name with a source extension
//      (`features.ts`, `strategies/cascade.ts`) or a relative folder (`inline/`), resolved against the
//      document's folder. In docs/ (which describe the whole tree), such a name may instead be the end
//      of a path in the tree (`dashboard/html.ts` for extension/dashboard/html.ts).
// Skipped: placeholders and globs (`<dir>`, `*`, `{a,b}`, `...`), build outputs (`out/`, `dist/`,
// `.tools/`, `node_modules/`), URLs, and the paths listed in SKIP with the reason.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

const ROOTS = ['server', 'shared', 'extension', 'test', 'docs', 'scripts', 'models', 'data', 'images', 'bin', 'deploy', '\\.ci'];
/** Build outputs and tool folders: named in docs, made by a command, never in the tree. */
const OUTPUT_PREFIXES = ['out/', 'dist/', '.tools/', 'node_modules/'];
/** Named on purpose although absent from the tree, with the reason. */
const SKIP = new Map<string, string>([]);

const SOURCE_EXT = /\.(ts|tsx|js|mjs|cjs|py|sh)$/;
const ANY_EXT = /\.(ts|tsx|js|mjs|cjs|py|sh|md|json|jsonl|yaml|yml|csv|onnx|png|svg|html|txt)$/;
const PLACEHOLDER = /[<>*{}]|\.\.\./;

const ROOTED = new RegExp(`(?<![\\w./:@~-])((?:${ROOTS.join('|')})/[\\w./<>*{}@+,~-]*)`, 'g');
const LINK = /!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g;
const CODE_SPAN = /`([^`\n]+)`/g;

function documents(): string[] {
  const docs = ['README.md'];
  for (const f of fs.readdirSync(path.join(ROOT, 'docs'))) if (f.endsWith('.md')) docs.push(`docs/${f}`);
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.name === 'README.md') docs.push(rel);
    }
  };
  walk('server');
  return docs.sort();
}

let treeCache: string[] | undefined;
/** Every file and folder of the tree (relative, '/'-separated), build outputs left out. */
function tree(): string[] {
  if (treeCache) return treeCache;
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === '.git' || (dir === '' && ['out', 'dist', '.tools'].includes(e.name))) continue;
      const rel = dir ? `${dir}/${e.name}` : e.name;
      out.push(e.isDirectory() ? `${rel}/` : rel);
      if (e.isDirectory()) walk(rel);
    }
  };
  walk('');
  return (treeCache = out);
}

/** Trailing punctuation of prose, a `:line` or `#anchor` suffix. */
function clean(p: string): string {
  return p.replace(/#.*$/, '').replace(/:\d+(:\d+)?$/, '').replace(/[.,;:'")]+$/, '');
}

function skipped(p: string): boolean {
  return PLACEHOLDER.test(p) || OUTPUT_PREFIXES.some((o) => p.startsWith(o)) || SKIP.has(p);
}

function exists(rel: string, wantDir: boolean): boolean {
  const abs = path.join(ROOT, rel);
  if (!abs.startsWith(ROOT)) return false;
  try {
    const st = fs.statSync(abs);
    return wantDir ? st.isDirectory() : true;
  } catch {
    return false;
  }
}

interface Named { doc: string; line: number; text: string; resolved: string }

/** The paths a document names that are not in the tree. */
export function missingPaths(doc: string): Named[] {
  const text = fs.readFileSync(path.join(ROOT, doc), 'utf8');
  const folder = path.posix.dirname(doc);
  const missing: Named[] = [];
  const seen = new Set<string>();
  let inFence = false;
  text.split('\n').forEach((lineText, i) => {
    const line = i + 1;
    const fence = /^\s*(```|~~~)/.test(lineText);
    const check = (raw: string, resolved: string, suffixOk: boolean): void => {
      const key = `${line}:${resolved}`;
      if (seen.has(key)) return;
      seen.add(key);
      if (skipped(raw) || skipped(resolved)) return;
      const wantDir = resolved.endsWith('/');
      const rel = wantDir ? resolved.slice(0, -1) : resolved;
      if (exists(rel, wantDir)) return;
      if (suffixOk && tree().some((t) => t === raw || t.endsWith(`/${raw}`))) return;
      missing.push({ doc, line, text: raw, resolved });
    };

    for (const m of lineText.matchAll(ROOTED)) {
      const p = clean(m[1]);
      if (p.includes('/')) check(p, p, false);
    }
    if (fence) { inFence = !inFence; return; }
    if (inFence) return;

    for (const m of lineText.matchAll(LINK)) {
      const target = clean(m[1]);
      if (!target || /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('/')) continue;
      check(target, path.posix.normalize(path.posix.join(folder, target)).replace(/\/$/, '') + (target.endsWith('/') ? '/' : ''), false);
    }
    for (const m of lineText.matchAll(CODE_SPAN)) {
      const span = m[1].trim();
      if (/\s/.test(span) || span.startsWith('/') || span.startsWith('-') || /^[a-z][a-z0-9+.-]*:/i.test(span)) continue;
      if (!/^[\w.@-]+(\/[\w.@-]+)*\/?$/.test(span) && !PLACEHOLDER.test(span)) continue;
      if (new RegExp(`^(${ROOTS.join('|')})/`).test(span)) continue; // rooted: checked above
      const isFile = span.includes('/') ? ANY_EXT.test(span) : SOURCE_EXT.test(span);
      const isDir = span.includes('/') && span.endsWith('/');
      if (!isFile && !isDir) continue;
      const resolved = path.posix.normalize(path.posix.join(folder, span)).replace(/\/$/, '') + (isDir ? '/' : '');
      check(span, folder === '.' ? span : resolved, folder === 'docs');
    }
  });
  return missing;
}

describe('docs/paths: every path the docs name exists', () => {
  it('finds the documents (README.md, docs/*.md, server/**/README.md)', () => {
    const docs = documents();
    assert.ok(docs.includes('README.md') && docs.includes('docs/ARCHITECTURE.md'), docs.join(', '));
    assert.ok(docs.some((d) => /^server\/.+\/README\.md$/.test(d)), docs.join(', '));
  });

  it('recognises rooted paths, relative links and folder-relative code spans', () => {
    const dir = fs.mkdtempSync(path.join(ROOT, 'server', '.paths-test-'));
    const rel = path.relative(ROOT, dir).split(path.sep).join('/');
    try {
      fs.writeFileSync(path.join(dir, 'here.ts'), '');
      fs.writeFileSync(
        path.join(dir, 'README.md'),
        [
          'See server/routing/registry.ts and server/gone/nowhere.ts.',
          '[ok](here.ts) [bad](../nope.md) [web](https://example.com/x) ![img](../../images/icon.png)',
          '`here.ts`, `absent.ts`, `routerllm/feedback`, `report.json`, `<dir>/x.ts`, `server/...`, `out/eval/report.md`',
          '```sh',
          'node bin/routerllm eval   # `ghost.ts` inside a fence is not a code span',
          '```',
        ].join('\n'),
      );
      const found = missingPaths(`${rel}/README.md`).map((n) => n.resolved);
      assert.deepEqual(found.sort(), ['server/gone/nowhere.ts', 'server/nope.md', `${rel}/absent.ts`].sort());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const doc of documents()) {
    it(`${doc} names only paths that exist`, () => {
      const missing = missingPaths(doc);
      assert.deepEqual(
        missing.map((n) => `${n.doc}:${n.line}: ${n.text}${n.text === n.resolved ? '' : ` (${n.resolved})`}`),
        [],
        'missing paths',
      );
    });
  }
});
