// The daemon's private files: the state dir is 0700 and the daemon's files in it 0600, created so
// and tightened at start-up when found wider (with a log line); a token file others can read is
// warned about when the daemon reads it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensurePrivateStateDir, tokenFileWarning } from '../../server/config/state-dir';
import { Ledger } from '../../server/accounting/ledger';
import { CheckCache } from '../../server/checks/cache';
import { readToken } from '../../server/daemon/serve-command';

const mode = (p: string) => fs.lstatSync(p).mode & 0o777;

describe('config: private state dir and token file', () => {
  let base = '';
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-state-test-'));
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  it('creates a missing state dir 0700 (and its parents), and logs nothing', () => {
    const dir = path.join(base, 'a', 'state');
    const log: string[] = [];
    ensurePrivateStateDir(dir, (l) => log.push(l));
    assert.equal(mode(dir), 0o700);
    assert.deepEqual(log, []);
  });

  it("tightens an existing state dir and the daemon's files in it, once, saying so; leaves other files and links alone", () => {
    const dir = path.join(base, 'state');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    const ours = ['ledger.sqlite', 'ledger.sqlite-wal', 'ledger.sqlite-shm', 'rl-state.json', '.rl-state.json.1.2.tmp'];
    for (const f of ours) fs.writeFileSync(path.join(dir, f), 'x', { mode: 0o644 });
    fs.mkdirSync(path.join(dir, 'check-cache'), { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'check-cache', `${'a'.repeat(64)}.json`), '{}', { mode: 0o664 });
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not ours', { mode: 0o644 });
    const outside = path.join(base, 'outside.json');
    fs.writeFileSync(outside, '{}', { mode: 0o644 });
    fs.symlinkSync(outside, path.join(dir, 'linked.json'));

    const log: string[] = [];
    ensurePrivateStateDir(dir, (l) => log.push(l));
    assert.equal(mode(dir), 0o700);
    for (const f of ours) assert.equal(mode(path.join(dir, f)), 0o600, f);
    assert.equal(mode(path.join(dir, 'check-cache')), 0o700);
    assert.equal(mode(path.join(dir, 'check-cache', `${'a'.repeat(64)}.json`)), 0o600);
    assert.equal(mode(path.join(dir, 'notes.txt')), 0o644, 'not a file of the daemon');
    assert.equal(mode(outside), 0o644, 'a link is not followed');
    assert.equal(log.length, 1, log.join('\n'));
    assert.match(log[0]!, /state dir .* made private \(\. 0755→0700, .*ledger\.sqlite 0644→0600.*and \d+ more\)/);

    const again: string[] = [];
    ensurePrivateStateDir(dir, (l) => again.push(l));
    assert.deepEqual(again, [], 'nothing left to tighten');
  });

  it('the ledger (with its WAL files) and the check cache are created private', () => {
    const dir = path.join(base, 'state');
    ensurePrivateStateDir(dir, () => undefined);
    const ledger = new Ledger(dir);
    try {
      for (const f of fs.readdirSync(dir).filter((f) => f.startsWith('ledger.sqlite'))) assert.equal(mode(path.join(dir, f)), 0o600, f);
      assert.ok(fs.existsSync(path.join(dir, 'ledger.sqlite-wal')), 'WAL mode: the -wal file exists while open');
    } finally {
      ledger.close();
    }
    const cacheDir = path.join(dir, 'check-cache');
    const cache = new CheckCache({ dir: cacheDir });
    cache.set('b'.repeat(64), { found: 0, passed: 0, failed: 0, results: [] } as never);
    assert.equal(mode(cacheDir), 0o700);
    assert.deepEqual(fs.readdirSync(cacheDir).map((f) => mode(path.join(cacheDir, f))), [0o600]);
  });

  it('warns when the token file is readable by its group or others, not when it is 0600', () => {
    const file = path.join(base, 'token');
    fs.writeFileSync(file, 'secret-token\n');
    fs.chmodSync(file, 0o644);
    assert.match(tokenFileWarning(file)!, /token file .* readable by its group and every user \(mode 0644\).*chmod 600/);
    fs.chmodSync(file, 0o640);
    assert.match(tokenFileWarning(file)!, /readable by its group \(mode 0640\)/);
    fs.chmodSync(file, 0o600);
    assert.equal(tokenFileWarning(file), undefined);
  });

  it('the daemon logs that warning when it reads the token from ws.tokenFile', () => {
    const file = path.join(base, 'token');
    fs.writeFileSync(file, 'secret-token\n', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const saved = process.env.ROUTERLLM_TOKEN;
    delete process.env.ROUTERLLM_TOKEN;
    try {
      const warned: string[] = [];
      assert.equal(readToken(file, (l) => warned.push(l)), 'secret-token');
      assert.equal(warned.length, 1);
      assert.match(warned[0]!, /warning: the token file .*token is readable by/);
      assert.doesNotMatch(warned[0]!, /secret-token/, 'never the token itself');
      fs.chmodSync(file, 0o600);
      warned.length = 0;
      readToken(file, (l) => warned.push(l));
      assert.deepEqual(warned, []);
    } finally {
      if (saved !== undefined) process.env.ROUTERLLM_TOKEN = saved;
    }
  });
});
