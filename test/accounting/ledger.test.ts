// Ledger: append, feedback, queries per session / user / model / strategy / hour / day, totals,
// savings against always-largest, versioned migrations.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { Ledger, LEDGER_FILE, SCHEMA_VERSION, userIdFromToken } from '../../server/accounting';
import { tempDir, close, entry } from './helpers';
import { FeedbackKind } from '../../shared/protocol';

describe('accounting/ledger', () => {
  let dir: string;
  let ledger: Ledger;
  beforeEach(() => {
    dir = tempDir();
    ledger = new Ledger(dir);
  });
  afterEach(() => {
    ledger.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opens in WAL mode with synchronous=NORMAL at the current schema version', () => {
    const db = new Database(path.join(dir, LEDGER_FILE), { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
    assert.deepEqual(ledger.settings(), { journalMode: 'wal', synchronous: 1 });
    assert.equal(ledger.version(), SCHEMA_VERSION);
  });

  it('group-commits rows queued in one turn, resolves each once on disk, and flushes on close', async () => {
    const queued = ['g1', 'g2', 'g3'].map((id) => ledger.appendGrouped(entry({ id }), id === 'g2' ? ['co2g/hour'] : []));
    // Not yet committed: the batch runs on the next turn of the event loop.
    assert.equal(ledger.get('g1'), null);
    await Promise.all(queued.map((q) => q.committed));
    for (const q of queued) assert.deepEqual(ledger.get(q.row.id), q.row, 'the returned row is what was stored');
    // A duplicate id fails its whole batch, and says so to every row in it.
    const dup = [ledger.appendGrouped(entry({ id: 'g4' })), ledger.appendGrouped(entry({ id: 'g1' }))];
    for (const d of dup) await assert.rejects(d.committed, /UNIQUE/);
    assert.equal(ledger.get('g4'), null);
    const last = ledger.appendGrouped(entry({ id: 'g5' }));
    ledger.close();
    await last.committed;
    ledger = new Ledger(dir);
    assert.equal(ledger.get('g5')?.id, 'g5');
  });

  it('appends and reads back a row, attempts included; rejects a duplicate id', () => {
    const attempts = [{ model: 'llama-3-8b', usage: { promptTokens: 100, completionTokens: 50, counted: false }, footprint: { energyJ: 10, co2g: 0.002, costUsd: 0.00001, energyMethod: 'estimated-tokens' as const }, latencyMs: 400, passed: true, reason: 'first' }];
    const row = ledger.append(entry({ id: 'r1', attempts }));
    assert.equal(row.time, '2026-11-26T10:15:00.000Z');
    assert.deepEqual(row.attempts, attempts);
    assert.equal(row.passed, true);
    assert.equal(row.feedback, null);
    assert.deepEqual(ledger.get('r1'), row);
    assert.throws(() => ledger.append(entry({ id: 'r1' })), /UNIQUE/);
  });

  it('records feedback', () => {
    ledger.append(entry({ id: 'r1' }));
    assert.equal(ledger.setFeedback('r1', 'edited', 0.3), true);
    assert.equal(ledger.setFeedback('nope', 'accepted'), false);
    const r = ledger.get('r1')!;
    assert.equal(r.feedback, 'edited');
    assert.equal(r.editRatio, 0.3);
  });

  it('queries totals and groups (hand computation)', () => {
    ledger.append(entry({ id: 'a', time: '2026-11-25T23:30:00Z', sessionId: 's1', user: 'u1', model: 'llama-3-8b', strategy: 'cascade' }));
    ledger.append(entry({ id: 'b', time: '2026-11-26T00:10:00Z', sessionId: 's1', user: 'u1', model: 'codellama-34b', strategy: 'cascade', footprint: { energyJ: 40, co2g: 0.008, costUsd: 0.0001, energyMethod: 'measured-dcgm' } }));
    ledger.append(entry({ id: 'c', time: '2026-11-26T00:50:00Z', sessionId: 's2', user: 'u2', model: 'llama-3.1-70b', strategy: 'always-largest', footprint: { energyJ: 100, co2g: 0.02, costUsd: 0.0001, energyMethod: 'estimated-tokens' } }));
    // totals: energy 10 + 40 + 100 = 150 J, co2 0.002 + 0.008 + 0.02 = 0.03 g, tokens 3 x 100 / 3 x 50
    const t = ledger.totals();
    assert.equal(t.requests, 3);
    assert.equal(t.promptTokens, 300);
    assert.equal(t.completionTokens, 150);
    assert.ok(close(t.energyJ, 150));
    assert.ok(close(t.co2g, 0.03));
    assert.deepEqual(ledger.group('session').map((g) => [g.key, g.requests, g.energyJ]), [['s1', 2, 50], ['s2', 1, 100]]);
    assert.deepEqual(ledger.group('user').map((g) => [g.key, g.requests]), [['u1', 2], ['u2', 1]]);
    assert.deepEqual(ledger.group('model').map((g) => g.key), ['codellama-34b', 'llama-3-8b', 'llama-3.1-70b']);
    assert.deepEqual(ledger.group('strategy').map((g) => [g.key, g.requests]), [['always-largest', 1], ['cascade', 2]]);
    assert.deepEqual(ledger.group('hour').map((g) => [g.key, g.requests]), [['2026-11-25T23:00:00Z', 1], ['2026-11-26T00:00:00Z', 2]]);
    assert.deepEqual(ledger.group('day').map((g) => [g.key, g.requests]), [['2026-11-25', 1], ['2026-11-26', 2]]);
    assert.deepEqual(ledger.group('model', { sessionId: 's1', since: new Date('2026-11-26T00:00:00Z') }).map((g) => g.key), ['codellama-34b']);
    assert.deepEqual(ledger.rows({ user: 'u1' }).map((r) => r.id), ['b', 'a'], 'newest first');
    assert.deepEqual(ledger.bySession('s2').map((r) => r.id), ['c']);
    assert.equal(ledger.totals({ until: new Date('2026-11-26T00:00:00Z') }).requests, 1);
  });

  it('computes savings against always-largest (hand computation)', () => {
    ledger.append(entry({ id: 'a' })); // 10 J vs baseline 100 J
    ledger.append(entry({ id: 'b', footprint: { energyJ: 30, co2g: 0.006, costUsd: 0.00005, energyMethod: 'estimated-tokens' } })); // vs 100
    ledger.append(entry({ id: 'c', baseline: null, footprint: { energyJ: 7, co2g: 0.001, costUsd: 0.00002, energyMethod: 'estimated-tokens' } })); // no baseline: counts as itself
    const s = ledger.savings();
    // baseline: 100 + 100 + 7 = 207 J; actual 10 + 30 + 7 = 47 J; saved 160 J
    assert.equal(s.baseline.model, 'llama-3.1-70b');
    assert.ok(close(s.baseline.energyJ, 207));
    assert.ok(close(s.saved.energyJ, 160));
    // co2: baseline 0.02 + 0.02 + 0.001 = 0.041; actual 0.002 + 0.006 + 0.001 = 0.009; saved 0.032
    assert.ok(close(s.saved.co2g, 0.032));
    // cost: baseline 0.0001 + 0.0001 + 0.00002 = 0.00022; actual 0.00001 + 0.00005 + 0.00002 = 0.00008; saved 0.00014
    assert.ok(close(s.saved.costUsd, 0.00014));
    assert.equal(ledger.savings({ sessionId: 'none' }).baseline.model, null);
  });

  it('keeps budget violations with their request, and history for the predictor', () => {
    ledger.append(entry({ id: 'a', time: '2026-11-26T10:00:00Z' }), ['co2g/hour', 'costUsd/request']);
    ledger.addViolations(['co2g/day'], new Date('2026-11-26T11:00:00Z'));
    const v = ledger.violationsSince(new Date('2026-11-26T00:00:00Z'));
    assert.deepEqual(v.map((x) => [x.item, x.requestId]), [['co2g/hour', 'a'], ['costUsd/request', 'a'], ['co2g/day', null]]);
    ledger.append(entry({ id: 'b', usage: { promptTokens: 1, completionTokens: 150 } }));
    assert.deepEqual(ledger.outputTokenStats(), [{ model: 'llama-3-8b', kind: 'implement', n: 2, mean: 100 }]);
    assert.equal(ledger.spendsSince(new Date('2026-11-26T10:10:00Z')).length, 1);
  });

  it('migrates an old schema forward and refuses a newer one', () => {
    const file = path.join(dir, 'old.sqlite');
    const db = new Database(file);
    // A version-1 ledger: the table without edit_ratio.
    db.exec(`CREATE TABLE requests (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, time TEXT NOT NULL, time_ms INTEGER NOT NULL,
      session_id TEXT NOT NULL, user TEXT NOT NULL, kind TEXT NOT NULL, strategy TEXT NOT NULL, model TEXT NOT NULL, prompt_tokens INTEGER NOT NULL,
      completion_tokens INTEGER NOT NULL, energy_j REAL NOT NULL, energy_method TEXT NOT NULL, co2g REAL NOT NULL, cost_usd REAL NOT NULL,
      latency_ms REAL NOT NULL, passed INTEGER, feedback TEXT, baseline_model TEXT, baseline_energy_j REAL, baseline_co2g REAL,
      baseline_cost_usd REAL, attempts TEXT NOT NULL DEFAULT '[]');
      INSERT INTO requests (id, time, time_ms, session_id, user, kind, strategy, model, prompt_tokens, completion_tokens, energy_j, energy_method, co2g, cost_usd, latency_ms)
      VALUES ('old', '2026-01-01T00:00:00.000Z', 1767225600000, 's', 'local', 'inline', 'cascade', 'm', 1, 2, 3, 'estimated-tokens', 4, 5, 6);
      PRAGMA user_version = 1;`);
    db.close();
    const migrated = new Ledger(file);
    assert.equal(migrated.version(), SCHEMA_VERSION);
    assert.equal(migrated.get('old')!.editRatio, null);
    // A row from before energy_basis keeps its method and states no basis; a new one keeps its own.
    assert.deepEqual(migrated.get('old')!.footprint, { energyJ: 3, co2g: 4, costUsd: 5, energyMethod: 'estimated-tokens' });
    const basis = 'measured: DCGM counter DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION at http://gpu-1:9400/metrics';
    migrated.append(entry({ id: 'new', footprint: { energyJ: 1, co2g: 0.1, costUsd: 0.01, energyMethod: 'measured-dcgm', energyBasis: basis } }));
    assert.equal(migrated.get('new')!.footprint.energyBasis, basis);
    assert.equal(migrated.setFeedback('old', 'accepted'), true);
    migrated.close();
    const newer = new Database(file);
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    assert.throws(() => new Ledger(file), /newer than this build/);
  });

  it("stores every feedback kind the protocol declares, and its CHECK refuses any other", () => {
    ledger.append(entry({ id: 'f' }));
    for (const kind of FeedbackKind.options) {
      assert.equal(ledger.setFeedback('f', kind), true);
      assert.equal(ledger.get('f')!.feedback, kind);
    }
    assert.throws(() => ledger.setFeedback('f', 'ignored' as FeedbackKind), /CHECK/);
  });

  it('hashes tokens for the user column', () => {
    assert.equal(userIdFromToken(undefined), 'local');
    assert.equal(userIdFromToken('secret'), '2bb80d537b1da3e3');
    assert.notEqual(userIdFromToken('secret'), userIdFromToken('secret2'));
  });

  it('writerThread: grouped rows commit and the WAL checkpoints in a worker thread, none is lost on close', async function () {
    this.timeout(20_000);
    const bg = path.join(dir, 'bg');
    const l = new Ledger(bg, { writerThread: true });
    const file = path.join(bg, LEDGER_FILE);
    try {
      // The ledger's own connection leaves the checkpoints to the thread, bar a safety net.
      const own = (l as unknown as { db: Database.Database }).db;
      assert.ok((own.pragma('wal_autocheckpoint', { simple: true }) as number) > 1000);
      const before = fs.statSync(file).size;
      for (let i = 0; i < 50; i++) await l.appendGrouped(entry({ id: `bg${i}` }), i % 2 ? ['co2g/hour'] : []).committed;
      // Committed, readable here, yet not one row written by this connection: the event loop never
      // waited on a commit.
      assert.equal(l.totals().requests, 50);
      assert.equal(l.violationsSince(new Date(0)).length, 25);
      assert.equal((own.prepare('SELECT total_changes() AS n').get() as { n: number }).n, 0);
      // The rows are in the WAL; the database file grows only once the thread checkpoints.
      const until = Date.now() + 15_000;
      while (fs.statSync(file).size === before && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      assert.ok(fs.statSync(file).size > before, 'the thread checkpointed the WAL into the database file');
      // Posted and not awaited: close() waits for the thread to commit them.
      for (let i = 50; i < 60; i++) l.appendGrouped(entry({ id: `bg${i}` }));
      await new Promise((r) => setImmediate(r));
      for (let i = 60; i < 65; i++) l.appendGrouped(entry({ id: `bg${i}` }));
    } finally {
      l.close();
    }
    const reopened = new Ledger(bg, { readonly: true });
    try {
      assert.equal(reopened.integrityCheck(), 'ok');
      assert.equal(reopened.totals().requests, 65);
    } finally {
      reopened.close();
    }
  });

  it('writerThread: a duplicate id fails its group with a clear error, and the thread goes on', async () => {
    const l = new Ledger(path.join(dir, 'bg-dup'), { writerThread: true });
    try {
      await l.appendGrouped(entry({ id: 'd1' })).committed;
      const dup = [l.appendGrouped(entry({ id: 'd2' })), l.appendGrouped(entry({ id: 'd1' }))];
      for (const d of dup) await assert.rejects(d.committed, /UNIQUE/);
      await l.appendGrouped(entry({ id: 'd3' })).committed;
      assert.deepEqual(l.rows().map((r) => r.id).sort(), ['d1', 'd3']);
    } finally {
      l.close();
    }
  });

  it('writerThread: when the thread dies, its unanswered rows fail and the next ones commit on the ledger\'s own connection', async () => {
    const l = new Ledger(path.join(dir, 'bg-dies'), { writerThread: true });
    try {
      await l.appendGrouped(entry({ id: 'w1' })).committed;
      const writer = (l as unknown as { writer: { worker: { terminate(): Promise<number> } } }).writer;
      await writer.worker.terminate();
      await new Promise((r) => setTimeout(r, 50));
      await l.appendGrouped(entry({ id: 'w2' })).committed;
      assert.deepEqual(l.rows().map((r) => r.id).sort(), ['w1', 'w2']);
    } finally {
      l.close();
    }
  });

  it('mustExist: never creates a ledger by looking', () => {
    assert.throws(() => new Ledger(path.join(dir, 'nothing'), { mustExist: true }));
    assert.equal(fs.existsSync(path.join(dir, 'nothing', LEDGER_FILE)), false);
  });
});
