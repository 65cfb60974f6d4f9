// The shipped extension bundle stays thin: built as `npm run package` builds it, it must be under
// 1.5 MB and hold neither the daemon nor onnxruntime. The VSIX rules keep node_modules out.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

describe('extension: bundle', function () {
  this.timeout(60_000);
  let dir: string;
  let code: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-bundle-'));
    const out = path.join(dir, 'extension.js');
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-extension.mjs'), '--outfile', out], { cwd: ROOT, stdio: 'pipe' });
    code = fs.readFileSync(out, 'utf8');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is smaller than 1.5 MB', () => {
    assert.ok(code.length < 1.5 * 1024 * 1024, `dist/extension.js is ${(code.length / 1024 / 1024).toFixed(2)} MB`);
  });

  it('contains neither onnxruntime nor the daemon', () => {
    assert.ok(!code.includes('onnxruntime'), 'the bundle mentions onnxruntime');
    assert.ok(!code.includes('better-sqlite3') || !/require\(["']better-sqlite3["']\)/.test(code), 'the bundle requires better-sqlite3');
    assert.ok(!/vscode-languageserver\/node|createConnection\(ProposedFeatures/.test(code), 'the bundle holds the LSP server');
    assert.ok(!code.includes('server/daemon'), 'the bundle holds daemon modules');
  });

  it('keeps vscode external and the VSIX lean', () => {
    assert.match(code, /require\("vscode"\)/);
    const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim());
    assert.equal(ignore.find((l) => l && !l.startsWith('#')), '**', '.vscodeignore starts by excluding everything');
    assert.ok(!ignore.some((l) => l.startsWith('!node_modules')), 'no node_modules in the VSIX');
    assert.ok(ignore.includes('!dist/extension.js') && ignore.includes('!dist/server.js'));
    assert.ok(ignore.includes('!dist/sandbox-spawner.js'), 'the daemon starts its sandboxed programs through dist/sandbox-spawner.js');
  });

  it('ships every data folder the daemon reads (the packaged daemon found no ml-energy/ once)', () => {
    // dist/server.js is what the VSIX runs (npm test builds it first); a folder of data/ it names
    // as a path segment must be re-included after .vscodeignore's '**'.
    const server = fs.readFileSync(path.join(ROOT, 'dist', 'server.js'), 'utf8');
    const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim());
    const read = fs.readdirSync(path.join(ROOT, 'data'), { withFileTypes: true }).filter((d) => d.isDirectory() && new RegExp(`["'/]${d.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["'/]`).test(server)).map((d) => d.name);
    assert.ok(read.includes('ml-energy'), `found ${read.join(', ')}`);
    for (const name of read) assert.ok(ignore.includes(`!data/${name}/**`), `the daemon reads data/${name}/ but .vscodeignore leaves it out of the VSIX`);
  });
});
