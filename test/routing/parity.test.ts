// Training sees what a live request gives the router. Two paths build a task's routing features:
// - training (server/fit): the rows of the committed observations (models/observations.json, what
//   every shipped router was trained on) read by trainingSetFrom, and the same rows recomputed by
//   the observation step (server/eval/observe.ts observedTask) from the benchmark's prompts;
// - serving: the features the daemon computes for a real LSP request (implementFunction over a
//   protocol connection to the real services, in one editor session, so every request after the
//   first carries the session's history: earlier answers, their test verdicts, the user's verdicts).
// Every HumanEval task is sent to the daemon in order, the features its router received are
// captured, and they must equal the training row on every feature the request itself decides, and
// on the session-history features what the feature table computes from that session's record as the
// client saw it (the models that answered, their tests, the feedback it sent). A feature computed
// differently at serve time (the prompt, the tests found, the cursor, the history kept) fails here.
// Only the sandbox is replaced (164 sandbox runs take minutes on a busy machine and compute no
// feature): a stand-in passes or fails each answer by a hash of its program, and the daemon keeps
// that verdict in the session's history as it would the sandbox's.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as protocol from '../../shared/protocol';
import { readObservations } from '../../server/fit/observations';
import { trainingSetFrom } from '../../server/fit/training-data';
import { loadTasks } from '../../server/eval/tasks';
import { observedTask } from '../../server/eval/observe';
import { requestFor } from '../../server/eval/runner';
import { extractFeatures, FEATURE_NAMES } from '../../server/routing/features';
import type { RequestContext } from '../../server/routing/types';
import { startFleet, type Fleet } from '../../server/fleet';
import { inProcessDaemon, type InProcessDaemon } from '../daemon/in-process';

/** Features that depend on the session's earlier requests, not on the request itself. */
const HISTORY_FEATURES = FEATURE_NAMES.map((name, f) => ({ name, f })).filter((x) => x.name.startsWith('hist_'));
const REQUEST_FEATURES = FEATURE_NAMES.map((name, f) => ({ name, f })).filter((x) => !x.name.startsWith('hist_'));
/** Strategies taken in turn, so the history holds different models and verdicts. */
const STRATEGIES = ['always-deepseek-coder-1.3b', 'always-deepseek-coder-6.7b', 'always-deepseek-coder-33b'];
/** The user's verdict sent after some answers, so the history holds feedback too. */
const feedbackAfter = (t: number): protocol.FeedbackKind | null => (t % 4 === 1 ? 'rejected' : t % 4 === 3 ? 'edited' : t % 8 === 2 ? 'accepted' : null);

type History = RequestContext['history'];

/** The verdict the client sees on an answer: every test that ran passed (null: none ran). */
function verdictOf(tests: protocol.TestReport): boolean | null {
  return tests.found && !tests.skipped ? tests.failed === 0 && tests.passed > 0 : null;
}

describe('routing: training/serving feature parity', function () {
  this.timeout(600_000);
  let fleet: Fleet;
  let dir: string;
  let daemon: InProcessDaemon;
  /** Every RequestContext the daemon's router received, with the features it computed. */
  const served: { request: RequestContext; features: Float32Array }[] = [];

  before(async () => {
    fleet = await startFleet({ port: 0, sleep: false, latencyScale: 1, faults: false });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-parity-'));
    daemon = await inProcessDaemon({ fleetUrl: fleet.url, stateDir: path.join(dir, 'state'), routing: { fallback: false } }, (s) => ({
      ...s,
      check: async (_language, program, tests) => {
        const ok = hash(program) % 3 !== 0;
        return { found: tests.length, passed: ok ? tests.length : 0, failed: ok ? 0 : tests.length, results: [], isolation: 'stand-in' };
      },
      features(req) {
        const features = s.features(req);
        served.push({ request: req, features });
        return features;
      },
    }));
  });
  after(async () => {
    await daemon?.close();
    await fleet?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every committed training row equals the daemon-path features of its task, session history included', async () => {
    const o = readObservations(path.resolve(__dirname, '../../models/observations.json'));
    const ts = trainingSetFrom(o);
    const tasks = new Map(loadTasks('humaneval').map((t) => [t.id, t]));
    assert.equal(o.tasks.length, 164);
    const history: History = [];
    let withHistory = 0;
    for (let t = 0; t < o.tasks.length; t++) {
      const row = o.tasks[t];
      const task = tasks.get(row.id)!;
      // The observation step still builds the committed row (otherwise the data are stale).
      const observed = observedTask(task);
      assert.equal(observed.tests, row.tests, `${row.id}: tests found by the observation step`);
      assert.deepEqual(differing(observed.features, ts.features[t], REQUEST_FEATURES), [], `${row.id}: the observation step's features differ from the training row`);

      // The daemon's path: the request the evaluation sends, in this session.
      const before = served.length;
      const r = await daemon.request(protocol.implementFunction, { ...requestFor(task, STRATEGIES[t % STRATEGIES.length]!), runTests: true });
      assert.equal(served.length, before + 1, `${row.id}: the router computed features once`);
      const live = served[before]!;
      assert.equal(live.request.tests.length, row.tests, `${row.id}: tests the daemon found`);
      assert.deepEqual(differing(live.features, ts.features[t], REQUEST_FEATURES), [], `${row.id}: the daemon's features differ from the training row`);
      // The history features: what the feature table makes of this session's record, as the
      // client saw it, on the training row's own request.
      const expected = extractFeatures({ ...ts.requests[t], history: history.slice() });
      assert.deepEqual(differing(live.features, expected, HISTORY_FEATURES), [], `${row.id}: the daemon's session-history features differ from the session's record`);
      if (history.length) withHistory++;

      history.push({ model: r.decision.model, passed: verdictOf(r.tests), feedback: null });
      const kind = feedbackAfter(t);
      if (kind) {
        const f = await daemon.request(protocol.feedback, { requestId: r.requestId, kind, ...(kind === 'edited' ? { editRatio: 0.3 } : {}) });
        assert.ok(f.recorded, `${row.id}: feedback recorded (${f.reason ?? ''})`);
        history[history.length - 1]!.feedback = kind;
      }
    }
    // The session's record varied: several models answered, tests passed and failed, verdicts came.
    assert.equal(withHistory, 163);
    assert.ok(new Set(history.map((h) => h.model)).size >= 3, 'answers from several models');
    assert.ok(history.some((h) => h.passed === true) && history.some((h) => h.passed === false), 'passing and failing answers');
    assert.ok(new Set(served.map((s) => s.features[FEATURE_NAMES.indexOf('hist_reject_rate')])).size > 2, 'the reject rate moved');
  });
});

/** FNV-1a of a string: the stand-in sandbox's verdict, the same for the same program. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Names of the features in `which` where the two vectors differ (compared as float32). */
function differing(a: ArrayLike<number>, b: ArrayLike<number>, which: { name: string; f: number }[]): string[] {
  return which.filter(({ f }) => Math.fround(a[f]) !== Math.fround(b[f])).map(({ name, f }) => `${name}: ${a[f]} vs ${b[f]}`);
}
