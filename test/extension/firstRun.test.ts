// Issue #25, the editor's side, rule by rule (the pure modules behind it; the real editor is
// test/e2e/editor.e2e.ts): messages a person can act on, the demo fleet said plainly, a status
// item with one icon per state, the keys the extension really binds, partial accepts reported as
// the share taken, tiny figures that do not read as zero, a short "Why this model?".
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { shortMessage } from '../../shared/failureSummary';
import type { FeedbackParams, SessionStats } from '../../shared/protocol';
import { connectWebSocketPatiently } from '../../shared/wsTransport';
import { leftVerdict, SuggestionTracker } from '../../extension/completion/suggestionTracker';
import { DEMO_MARKER, DEMO_TASKS, demoFiles, writeDemoWorkspace } from '../../extension/demoWorkspace';
import { servesOnlyDemoFleet } from '../../extension/fleetPort';
import { formatCo2, formatUsd } from '../../extension/format';
import { keyLabel } from '../../extension/keybindings';
import { connectProblem, FIRST_CONNECT, failureKind, plainReason, requestProblem, unreachableUrls, withoutCliAdvice } from '../../extension/messages';
import { STATE_ICONS, statusView, type StatusInput } from '../../extension/statusView';
import { decidingReason, whyView } from '../../extension/why';

const ROOT = path.resolve(__dirname, '..', '..');
const FLEET_404 =
  'every model failed: deepseek-coder-1.3b (not-found 404: server http://127.0.0.1:8177 returned HTTP 404 on /v1/chat/completions for model "deepseek-coder-1.3b-instruct": the recorded fleet only knows the benchmark tasks: no recording of deepseek-coder-1.3b-instruct for this prompt); deepseek-coder-6.7b (not-found 404: server http://127.0.0.1:8177 returned HTTP 404 on /v1/chat/completions for model "deepseek-coder-6.7B-instruct-GPTQ": the recorded fleet only knows the benchmark tasks: no recording of deepseek-coder-6.7B-instruct-GPTQ for this prompt)';
const BREAKER = 'every model failed: breaker-open: circuit breaker for http://127.0.0.1:8177/ is open after repeated failures; next probe in 30 s (8 of 10 models)';

describe('issue #25: messages a person can act on', () => {
  it('names the full server address (not "http"), with a button that starts the demo fleet and one that chooses a config, and no CLI advice', () => {
    const full = 'every model failed: No model server reachable at http://127.0.0.1:8177, http://gpu-1.lab:8000: start one or run `routerllm fleet`';
    assert.deepEqual(unreachableUrls(full), ['http://127.0.0.1:8177', 'http://gpu-1.lab:8000']);
    const { kind, problem } = requestProblem('inline completion', full, shortMessage(full));
    assert.equal(kind, 'no-server');
    assert.match(problem.message, /no model server answers at http:\/\/127\.0\.0\.1:8177, http:\/\/gpu-1\.lab:8000\./);
    assert.doesNotMatch(problem.message, /routerllm fleet|`routerllm/);
    assert.deepEqual(problem.actions.map((a) => a.kind), ['startFleet', 'chooseConfig']);
  });

  it('translates an open circuit breaker into what happened and when it is tried again', () => {
    assert.equal(failureKind(BREAKER), 'breaker');
    const { problem } = requestProblem('Implement Function', BREAKER, shortMessage(BREAKER));
    assert.equal(problem.message, 'RouterLLM: the model server at http://127.0.0.1:8177/ failed several requests in a row, so RouterLLM pauses it and tries it again in 30 s. Check that the server runs, or choose a configuration file with other servers.');
    assert.doesNotMatch(problem.message, /breaker/);
    assert.equal(plainReason('breaker-open: circuit breaker for http://h:1/ is open after repeated failures; next probe in 12 s'), 'failed several requests in a row; paused, tried again in 12 s');
  });

  it('recognises the demo fleet\'s "not a benchmark task" 404 and offers the demo workspace', () => {
    assert.equal(failureKind(FLEET_404), 'demo-miss');
    assert.equal(failureKind('not-found 404: ... {"code":"recording_not_found"}'), 'demo-miss');
    const { problem } = requestProblem('Implement Function', FLEET_404, shortMessage(FLEET_404));
    assert.deepEqual(problem.actions.map((a) => a.kind), ['openDemoWorkspace', 'chooseConfig']);
    assert.match(problem.message, /only has answers for its benchmark functions/);
  });

  it('reads the demo fleet\'s miss from the error\'s data (the servers\' codes) when the text does not say it', () => {
    const plain = 'every model failed: deepseek-coder-1.3b (not-found 404: no such prompt)';
    assert.equal(failureKind(plain), 'other');
    assert.equal(failureKind(plain, ['recording_not_found']), 'demo-miss');
    assert.equal(requestProblem('inline completion', plain, shortMessage(plain), ['recording_not_found']).kind, 'demo-miss');
    assert.equal(failureKind(plain, ['model_not_found']), 'other');
  });

  it('drops advice to run the CLI from any other message', () => {
    assert.equal(withoutCliAdvice('port 8177 is already in use (is a fleet already running?); try --port'), 'port 8177 is already in use; try --port');
    assert.equal(withoutCliAdvice('No model server reachable at http://a:1: start one or run `routerllm fleet`'), 'No model server reachable at http://a:1');
    const other = requestProblem('inline completion', 'timeout: x did not answer; run `routerllm doctor`', 'timeout: x did not answer; run `routerllm doctor`').problem;
    assert.doesNotMatch(other.message, /routerllm doctor/);
  });

  it('reports a wrong shared-daemon URL within 5 s, with an "Open Setting" button for it', async () => {
    // Nothing listens on this port: the first connection gives up within FIRST_CONNECT's budget.
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise((r) => s.close(r));
    const url = `ws://127.0.0.1:${port}`;
    const t0 = Date.now();
    const error = await connectWebSocketPatiently(url, 'token', FIRST_CONNECT).then(
      () => undefined,
      (e: Error) => e,
    );
    const ms = Date.now() - t0;
    assert.ok(error, 'the connection must fail');
    assert.ok(ms < 5000, `reported after ${ms} ms`);
    const problem = connectProblem(url, error.message);
    assert.deepEqual(problem.actions[0], { kind: 'openSetting', key: 'routerllm.daemon.url' });
    assert.match(problem.message, new RegExp(`the shared daemon at ${url} does not answer`));
    assert.deepEqual(connectProblem(url, `the shared daemon at ${url} answered HTTP 401 (check the token)`).actions[0], { kind: 'setToken' });
  });
});

const stats = (over: Partial<SessionStats> = {}): SessionStats =>
  ({
    sessionId: 's',
    session: { requests: 3, promptTokens: 10, completionTokens: 10, energyJ: 1, co2g: 0.00058, costUsd: 0.0000121 },
    baseline: { model: 'llama-3.1-70b', co2g: 0.01, costUsd: 0.001, energyJ: 10 },
    saved: { co2g: 0, costUsd: 0, energyJ: 0 },
    lastModel: 'deepseek-coder-1.3b',
    budget: { level: 'balanced', items: [] },
    recent: [],
    ...over,
  }) as unknown as SessionStats;

const input = (over: Partial<StatusInput> = {}): StatusInput => ({ stats: stats(), daemonError: undefined, downModels: [], inlinePause: undefined, demoFleet: false, demoMiss: false, busy: undefined, ...over });

describe('issue #25: the status item tells the truth', () => {
  it('has one icon per state', () => {
    const icons = Object.values(STATE_ICONS);
    assert.equal(new Set(icons).size, icons.length);
    const cases: [Partial<StatusInput>, string][] = [
      [{}, 'ok'],
      [{ inlinePause: { kind: 'off' } }, 'off'],
      [{ inlinePause: { kind: 'snoozed', until: '14:05' } }, 'snoozed'],
      [{ inlinePause: { kind: 'language-off', language: 'python' } }, 'language-off'],
      [{ stats: stats({ budget: { level: 'balanced', items: [], spent: [{ scope: 'user', metric: 'co2g', window: 'day', limit: 1, used: 2, resetsAt: 'x', action: 'downgrade' }] } } as Partial<SessionStats>) }, 'budget-spent'],
      [{ demoFleet: true }, 'demo-fleet'],
      [{ downModels: [['m', 'down']] }, 'servers-down'],
      [{ daemonError: 'gone' }, 'daemon-error'],
    ];
    for (const [over, state] of cases) {
      const v = statusView(input(over));
      assert.equal(v.state, state);
      assert.ok(v.text.startsWith(`$(${STATE_ICONS[v.state]}) RouterLLM`), v.text);
    }
  });

  it('says "demo fleet: benchmark tasks" when only the demo fleet serves, and why no ghost text comes on other code', () => {
    const v = statusView(input({ demoFleet: true, demoMiss: true }));
    assert.match(v.text, /RouterLLM demo fleet: benchmark tasks · /);
    assert.match(v.tooltip.join('\n'), /not one of them, so no ghost text comes here/);
    const models = [
      { available: true, endpoint: 'http://127.0.0.1:40123' },
      { available: false, endpoint: null },
    ];
    assert.equal(servesOnlyDemoFleet(models, ['http://127.0.0.1:40123']), true);
    assert.equal(servesOnlyDemoFleet([...models, { available: true, endpoint: 'http://gpu-1:8000' }], ['http://127.0.0.1:40123']), false);
    assert.equal(servesOnlyDemoFleet([{ available: false, endpoint: 'http://127.0.0.1:40123' }], ['http://127.0.0.1:40123']), false);
  });

  it('clears "budget spent (downgraded)" once the daemon reports no spent budget', () => {
    const spent = statusView(input({ stats: stats({ budget: { level: 'balanced', items: [], spent: [{ scope: 'user', metric: 'co2g', window: 'day', limit: 1, used: 2, resetsAt: 'x', action: 'downgrade' }] } } as Partial<SessionStats>) }));
    assert.match(spent.text, /budget spent \(downgraded\)/);
    assert.doesNotMatch(statusView(input()).text, /budget spent/);
    // A restarted daemon: no stats yet, nothing spent.
    assert.doesNotMatch(statusView(input({ stats: undefined })).text, /budget spent/);
  });

  it('shows tiny but nonzero session figures with significant digits', () => {
    assert.equal(formatCo2(0.00058), '0.00058 g');
    assert.equal(formatUsd(0.0000121), '$0.000012');
    assert.equal(formatCo2(5.8e-7), '0.00000058 g');
    assert.equal(formatCo2(0.53), '0.53 g');
    assert.equal(formatCo2(12.4), '12.40 g');
    assert.equal(formatCo2(0), '0 g');
    assert.match(statusView(input()).text, /0\.00058 g · \$0\.000012/);
  });

  it('names the key package.json really binds to Implement Function', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(keyLabel(pkg, 'routerllm.implementFunction', 'linux'), 'Ctrl+Alt+Enter');
    assert.equal(keyLabel(pkg, 'routerllm.implementFunction', 'darwin'), 'Cmd+Alt+Enter');
    assert.equal(keyLabel(pkg, 'routerllm.nothing', 'linux'), undefined);
    assert.equal(keyLabel({ contributes: { keybindings: [{ command: 'c', key: 'ctrl+k ctrl+i' }] } }, 'c', 'linux'), 'Ctrl+K Ctrl+I');
  });
});

describe('issue #25: partial accepts are partial', () => {
  const track = () => {
    const sent: FeedbackParams[] = [];
    return { sent, t: new SuggestionTracker((p) => sent.push(p)) };
  };
  const SUGGESTION = 'return sorted(numbers)[0]\n'; // 26 characters

  it('reports a suggestion taken word by word and then left as edited, with the share not taken', () => {
    const { sent, t } = track();
    t.offered('r1', 'file:///a.py', 100, SUGGESTION);
    t.changed('file:///a.py', [{ rangeOffset: 100, rangeLength: 0, text: 'return ' }]); // accept word
    t.offered('r1', 'file:///a.py', 107, SUGGESTION.slice(7)); // the cache serves the rest
    t.changed('file:///a.py', [{ rangeOffset: 107, rangeLength: 0, text: 'sorted(' }]);
    assert.deepEqual(sent, []);
    t.changed('file:///a.py', [{ rangeOffset: 114, rangeLength: 0, text: 'x' }]); // types its own
    assert.deepEqual(sent, [{ requestId: 'r1', kind: 'edited', editRatio: Number((1 - 14 / SUGGESTION.length).toFixed(3)) }]);
  });

  it('reports a suggestion taken whole as accepted, and one left untouched as rejected', () => {
    const { sent, t } = track();
    t.offered('r1', 'u', 0, SUGGESTION);
    t.changed('u', [{ rangeOffset: 0, rangeLength: 0, text: SUGGESTION }]);
    t.accepted('r1');
    t.offered('r2', 'u', 50, 'pass\n');
    t.moved('u', 10, true);
    assert.deepEqual(sent, [{ requestId: 'r1', kind: 'accepted' }, { requestId: 'r2', kind: 'rejected' }]);
    assert.deepEqual(leftVerdict('r', 10, 10), { requestId: 'r', kind: 'accepted' });
  });
});

describe('issue #25: "Why this model?" is short and does not contradict itself', () => {
  // The shape of a real ghost-text decision (server/routing/inline/policy.ts), as in the issue:
  // the strategy named the top rung, feedback overrode it, a cheaper model answered.
  const decision = {
    model: 'deepseek-coder-1.3b',
    strategy: 'cascade',
    explanation:
      'ghost text: deepseek-coder-1.3b, 706 ms expected (budget 500 ms); cascade chose among deepseek-coder-1.3b, deepseek-coder-6.7b: cascade: no tests to verify, so deepseek-coder-6.7b answers (the top rung); rungs 1.3b > 6.7b; feedback overrides deepseek-coder-6.7b (62% estimated acceptance); deepseek-coder-1.3b is the cheapest eligible model whose acceptance may be within 5% of the best estimate, 66% (its estimated acceptance 64% in python body, at most 81% at 95%, from 11 outcome(s) here, 25 on the model, 40 in all)',
  };
  const base = { requestId: 'q1', decision, fallbacks: [], footprint: { energyJ: 1, co2g: 0.00058, costUsd: 0.00001, source: 'modelled' }, latencyMs: 640, wallMs: 700 } as unknown as Parameters<typeof whyView>[0];

  it('gives one sentence that names only the model that answered, the rest behind "Show Details"', () => {
    const v = whyView(base);
    assert.equal(v.title, 'RouterLLM: the last ghost text came from deepseek-coder-1.3b');
    assert.equal(v.because, 'deepseek-coder-1.3b is the cheapest model whose suggestions you accept about as often as the best (64% accepted in python body, from 11 suggestions).');
    assert.doesNotMatch(v.because + v.facts.join(' '), /6\.7b/);
    assert.match(v.facts.join(' '), /700 ms in the editor \(model 640 ms\)\. Footprint: 0\.00058 g CO2e/);
    assert.ok(v.details.some((d) => /feedback overrides deepseek-coder-6\.7b/.test(d)));
  });

  it('before any feedback, says the cheapest model that fits the budget answers first', () => {
    const first = { ...base, decision: { ...decision, explanation: 'ghost text: deepseek-coder-1.3b, 706 ms expected (budget 500 ms); cascade chose among deepseek-coder-1.3b, deepseek-coder-6.7b: cascade: no tests to verify, so deepseek-coder-6.7b answers (the top rung); feedback overrides deepseek-coder-6.7b (not yet known); no feedback yet, so every eligible model may be the best and the cheapest, deepseek-coder-1.3b, is tried first (it has 0 of the 3 outcomes feedback needs to judge it)' } };
    assert.equal(decidingReason(first), 'deepseek-coder-1.3b is the cheapest model that can write ghost text within your latency budget: RouterLLM starts there and learns from what you accept.');
  });

  it('says a fallback decided when the chosen model could not answer', () => {
    const fb = { ...base, decision: { ...decision, model: 'codellama-7b' }, fallbacks: [{ from: 'deepseek-coder-1.3b', to: 'codellama-7b', reason: 'timeout: no answer within 900 ms' }] };
    assert.equal(decidingReason(fb), 'codellama-7b answered because deepseek-coder-1.3b could not (no answer within 900 ms).');
  });
});

describe('issue #25: the demo workspace', () => {
  it('holds the benchmark prompts exactly (no solution), a README and the marker that activates the extension', () => {
    const jsonl = zlib.gunzipSync(fs.readFileSync(path.join(ROOT, 'data', 'humaneval', 'HumanEval.jsonl.gz'))).toString('utf8');
    const tasks = new Map(
      jsonl
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { task_id: string; prompt: string; entry_point: string; canonical_solution: string })
        .map((t) => [t.task_id, t]),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-demo-'));
    try {
      const first = writeDemoWorkspace(dir, ROOT);
      assert.equal(first, path.join(dir, 'has_close_elements.py'));
      for (const id of DEMO_TASKS) {
        const t = tasks.get(id)!;
        const text = fs.readFileSync(path.join(dir, `${t.entry_point}.py`), 'utf8');
        assert.equal(text, t.prompt);
        assert.ok(!text.includes(t.canonical_solution.trim()));
      }
      assert.match(fs.readFileSync(path.join(dir, 'README.md'), 'utf8'), /demo fleet knows only these benchmark functions/);
      assert.ok(fs.existsSync(path.join(dir, DEMO_MARKER)));
      const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
      assert.ok(pkg.activationEvents.includes(`workspaceContains:${DEMO_MARKER}`));
      // A file the user changed is kept.
      fs.writeFileSync(first, 'mine');
      writeDemoWorkspace(dir, ROOT);
      assert.equal(fs.readFileSync(first, 'utf8'), 'mine');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.throws(() => demoFiles('', ['HumanEval/0']), /not in the HumanEval data/);
  });

  it('is opened by the walkthrough\'s try-it step', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const steps = pkg.contributes.walkthroughs[0].steps as { id: string; description: string }[];
    assert.match(steps.find((s) => s.id === 'write')!.description, /\(command:routerllm\.openDemoWorkspace\)/);
    assert.ok((pkg.contributes.commands as { command: string }[]).some((c) => c.command === 'routerllm.openDemoWorkspace'));
  });
});
