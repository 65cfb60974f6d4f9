// The pure rules behind the editor experience: one short reason for many failed models, the
// daemon crash and Node diagnoses, when ghost text is not asked for, and the dashboard's axis
// labels, budget rows and reason cells.
import { strict as assert } from 'node:assert';
import { noServerMessage, parseFailureList, shortMessage, summarizeFailures, unreachableUrl } from '../../shared/failureSummary';
import { functionBodyComplete, repeatsPrefix } from '../../extension/completion/bodyComplete';
import { inlineGate } from '../../extension/completion/gate';
import { budgetsInForce, labelledColumns, renderDashboard, shortReason } from '../../extension/dashboard/html';
import { checkNode, diagnoseCrash, stderrLevel } from '../../extension/daemonDiagnosis';
import { fleetPortFor } from '../../extension/fleetPort';
import { DEFAULT_SETTINGS } from '../../extension/settingsSchema';
import type { SessionStats } from '../../shared/protocol';

const MODELS = ['deepseek-coder-1.3b', 'deepseek-coder-6.7b', 'codellama-7b', 'llama-2-7b', 'llama-3-8b', 'codellama-13b', 'llama-2-13b', 'deepseek-coder-33b', 'codellama-34b', 'llama-3.1-70b'];

describe('failure summary: one reason instead of a list of models', () => {
  const down = (m: string) => ({ model: m, reason: 'server unhealthy: cannot reach http://127.0.0.1:8177/v1/models: connect ECONNREFUSED 127.0.0.1:8177' });

  it('says no server is reachable, where, and the fix, when every configured server is down', () => {
    const failures = [...MODELS.map(down), { model: 'llama-3.1-405b', reason: 'no server configured' }];
    const long = failures.map((f) => `${f.model} (${f.reason})`).join('; ');
    assert.ok(long.length > 1000);
    assert.equal(summarizeFailures(failures), 'No model server reachable at http://127.0.0.1:8177: start one or run `routerllm fleet`');
  });

  it('names the commonest reason with how many models it stopped, and counts the others', () => {
    const failures = [
      ...MODELS.slice(0, 8).map((m) => ({ model: m, reason: `timeout: ${m} did not answer within 5000 ms` })),
      { model: 'codellama-34b', reason: 'http 500: internal error' },
      { model: 'llama-3.1-70b', reason: 'malformed: not JSON' },
    ];
    assert.equal(summarizeFailures(failures), 'timeout: deepseek-coder-1.3b did not answer within 5000 ms (8 of 10 models); 2 other reasons in the log');
    assert.equal(summarizeFailures([failures[8]!]), 'http 500: internal error (codellama-34b)');
  });

  it('lists several unreachable servers once each', () => {
    assert.equal(noServerMessage(['http://a:1', 'http://b:2', 'http://a:1']), 'No model server reachable at http://a:1, http://b:2: start one or run `routerllm fleet`');
    assert.equal(unreachableUrl('down: connect ECONNREFUSED http://gpu-1:8000/v1/chat/completions'), 'http://gpu-1:8000');
    assert.equal(unreachableUrl('http 500: internal error'), undefined);
  });

  it('collapses a legacy list in an error message and cuts other long messages', () => {
    const legacy = `every model failed: ${MODELS.map((m) => `${m} (down: cannot reach http://127.0.0.1:8177/v1/chat/completions: connect ECONNREFUSED)`).join('; ')}`;
    assert.equal(parseFailureList(legacy)!.length, MODELS.length);
    assert.equal(shortMessage(legacy), 'No model server reachable at http://127.0.0.1:8177: start one or run `routerllm fleet`');
    const other = 'x'.repeat(500);
    assert.equal(shortMessage(other).length, 240);
    assert.equal(shortMessage('short'), 'short');
  });
});

describe('daemon diagnosis: one problem with its fix', () => {
  it('logs the daemon\'s own lines as info (warnings when they report a failure) and anything else as errors', () => {
    assert.equal(stderrLevel('[routerllm 2026-11-26T18:31:45.032Z] serving on stdio (config: built-in, state: /root/.routerllm)'), 'info');
    assert.equal(stderrLevel('[routerllm 2026-11-26T18:31:45.037Z] deepseek-coder-1.3b: server unhealthy: cannot reach http://127.0.0.1:8177'), 'warn');
    assert.equal(stderrLevel("Error: Cannot find module 'better-sqlite3'"), 'error');
    assert.equal(stderrLevel('    at Module._resolveFilename (node:internal/modules/cjs/loader:1207:15)'), 'error');
  });

  it('turns a missing module into a reinstall message with the setting that overrides it', () => {
    const p = diagnoseCrash("node:internal/modules/cjs/loader:1210\n  throw err;\nError: Cannot find module 'better-sqlite3'\nRequire stack:", 'node')!;
    assert.match(p.message, /cannot load better-sqlite3/);
    assert.deepEqual(p.actions[0], { kind: 'openSetting', key: 'routerllm.daemon.serverPath' });
  });

  it('turns an ABI mismatch into "choose a Node 20"', () => {
    const p = diagnoseCrash('was compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 137. Please try re-compiling', '/usr/bin/node')!;
    assert.match(p.message, /ABI 115 \(Node 20\).*ABI 137/);
    assert.equal(p.actions[0]!.kind, 'chooseNode');
    assert.equal(diagnoseCrash('some other crash', 'node'), undefined);
  });

  it('checks the Node before spawning: missing, too old, another ABI, another platform, or fine', () => {
    const here = { platform: 'linux', arch: 'x64' };
    const manifest = { platform: 'linux', arch: 'x64', nodeAbi: '115', builtWith: 'v20.20.2' };
    assert.equal(checkNode('node', 'missing', manifest, here)!.id, 'node-missing');
    assert.match(checkNode('node', { version: 'v18.19.0', abi: '108' }, manifest, here)!.message, /needs Node\.js 20 or later; `node` is v18\.19\.0/);
    assert.match(checkNode('node', { version: 'v24.21.0', abi: '137' }, manifest, here)!.message, /v24\.21\.0 \(ABI 137\)/);
    assert.match(checkNode('node', { version: 'v20.20.2', abi: '115' }, manifest, { platform: 'darwin', arch: 'arm64' })!.message, /linux-x64, not darwin-arm64/);
    assert.equal(checkNode('node', { version: 'v20.20.2', abi: '115' }, manifest, here), undefined);
    // A development tree has no manifest: its natives come from its node_modules.
    assert.equal(checkNode('node', { version: 'v22.1.0', abi: '127' }, undefined, here), undefined);
  });

  it('starts the recorded fleet where a configuration asks, else on a free port of its own (never the machine-wide 8177)', () => {
    assert.equal(fleetPortFor([null, 'http://127.0.0.1:9123']), 9123);
    assert.equal(fleetPortFor(['http://127.0.0.1:8177']), undefined);
    assert.equal(fleetPortFor(['http://gpu-1:8000']), undefined);
    assert.equal(fleetPortFor([]), undefined);
  });
});

describe('ghost text: when not to ask', () => {
  const FN = 'def add(a, b):\n    """Add two numbers.\n    >>> add(1, 2)\n    3\n    """\n';

  it('asks in an empty body and after a statement that does not end it', () => {
    assert.equal(functionBodyComplete(`${FN}    `, '', 'python'), false);
    assert.equal(functionBodyComplete(`${FN}    s = a + b`, '\n', 'python'), false);
    assert.equal(functionBodyComplete(`${FN}    if a:\n        return a`, '\n', 'python'), false);
    // A return still being typed.
    assert.equal(functionBodyComplete(`${FN}    return `, '\n', 'python'), false);
    assert.equal(functionBodyComplete(`${FN}    return a +`, '\n', 'python'), false);
    assert.equal(functionBodyComplete(`${FN}    return max(a,`, '\n', 'python'), false);
  });

  it('does not ask once the body returns, nor on the blank line after it', () => {
    assert.equal(functionBodyComplete(`${FN}    s = a + b\n    return s`, '\n', 'python'), true);
    assert.equal(functionBodyComplete(`${FN}    return a + b\n    `, '\n', 'python'), true);
    // ...but does where more of the body follows, or mid-line, or past the function.
    assert.equal(functionBodyComplete(`${FN}    return a + b`, '\n    print(1)\n', 'python'), false);
    assert.equal(functionBodyComplete(`${FN}    return a + b`, ' if a else b\n', 'python'), false);
    assert.equal(functionBodyComplete(`${FN}    return a + b\n\nx = `, '\n', 'python'), false);
  });

  it('handles multi-line signatures and TypeScript braces', () => {
    assert.equal(functionBodyComplete('def f(\n    a,\n    b,\n):\n    return a', '\n', 'python'), true);
    assert.equal(functionBodyComplete('function add(a: number, b: number): number {\n  return a + b;\n}\n', '', 'typescript'), true);
    assert.equal(functionBodyComplete('function add(a: number, b: number): number {\n  ', '\n}\n', 'typescript'), false);
    assert.equal(functionBodyComplete('const s = "}";\nfunction f() {\n  return "{";\n', '', 'javascript'), false);
  });

  it('never re-offers text that is already just above the cursor', () => {
    const body = '    return sorted(numbers)[0] if numbers else None\n';
    assert.equal(repeatsPrefix(`${FN}${body}`, body), true);
    assert.equal(repeatsPrefix(FN, body), false);
    assert.equal(repeatsPrefix(`${FN}x`, 'x'), false); // too short to judge
  });

  it('follows the user\'s controls: off, snooze, language off, manual trigger', () => {
    const base = { languageId: 'python', explicit: false, snoozedUntil: 0, now: 1000 };
    const s = (over: Partial<typeof DEFAULT_SETTINGS>) => ({ ...DEFAULT_SETTINGS, ...over });
    assert.deepEqual(inlineGate({ ...base, settings: s({}) }), { allowed: true });
    assert.deepEqual(inlineGate({ ...base, settings: s({ 'inline.enabled': false }) }), { allowed: false, why: 'off' });
    assert.deepEqual(inlineGate({ ...base, snoozedUntil: 2000, settings: s({}) }), { allowed: false, why: 'snoozed' });
    assert.deepEqual(inlineGate({ ...base, snoozedUntil: 2000, explicit: true, settings: s({}) }), { allowed: true });
    assert.deepEqual(inlineGate({ ...base, snoozedUntil: 500, settings: s({}) }), { allowed: true });
    assert.deepEqual(inlineGate({ ...base, settings: s({ 'inline.disabledLanguages': ['python'] }) }), { allowed: false, why: 'language-off' });
    assert.deepEqual(inlineGate({ ...base, settings: s({ 'inline.trigger': 'manual' }) }), { allowed: false, why: 'manual' });
    assert.deepEqual(inlineGate({ ...base, explicit: true, settings: s({ 'inline.trigger': 'manual' }) }), { allowed: true });
    assert.deepEqual(inlineGate({ ...base, languageId: 'go', settings: s({}) }), { allowed: false, why: 'not-served' });
  });
});

describe('dashboard: labels, budgets, reasons', () => {
  it('labels hourly columns without overlap, always the last one', () => {
    assert.deepEqual(labelledColumns(1, 48), [0]);
    assert.deepEqual(labelledColumns(2, 48), [0, 1]);
    // 24 hours in 420 px: 17.5 px a column, a label every 3 columns (>= 40 px apart).
    const at = labelledColumns(24, 17.5);
    for (let i = 1; i < at.length; i++) assert.ok((at[i]! - at[i - 1]!) * 17.5 >= 40, `${at}`);
    assert.equal(at[at.length - 1], 23);
    assert.deepEqual(labelledColumns(0, 10), []);
  });

  it('shows only the budgets in force (0 means none) and each request\'s reason', () => {
    const items: SessionStats['budget']['items'] = [
      { metric: 'co2g', window: 'day', limit: 0, used: 1, violations: 0 },
      { metric: 'costUsd', window: 'day', limit: 0.5, used: 0.1, violations: 0 },
      { metric: 'co2g', window: 'hour', limit: 5, used: 0.1, violations: 0, enforced: false },
    ];
    assert.deepEqual(budgetsInForce(items), [items[1]], 'a default yardstick the daemon does not enforce is not a budget in force');
    const stats: SessionStats = {
      sessionId: 's',
      session: { requests: 1, promptTokens: 1, completionTokens: 1, energyJ: 1, co2g: 0.1, costUsd: 0.01 },
      baseline: { model: 'llama-3.1-70b', co2g: 1, costUsd: 0.1, energyJ: 10 },
      saved: { co2g: 0.9, costUsd: 0.09, energyJ: 9 },
      lastModel: 'codellama-7b',
      byModel: [],
      budget: { level: 'balanced', items: [items[0]!] },
      recent: [{ requestId: 'r1', time: '2026-11-26T18:00:00.000Z', kind: 'implement', model: 'codellama-7b', strategy: 'cascade', co2g: 0.1, costUsd: 0.01, latencyMs: 900, passed: true, feedback: null, reason: 'cascade: starting with codellama-7b; 3 test(s) verify' }],
      hourly: [],
      recommendations: [],
    };
    const html = renderDashboard(stats, 'n');
    assert.match(html, /No budget in force \(0 means none\)/);
    assert.match(html, /<td class="why" title="cascade: starting with codellama-7b; 3 test\(s\) verify">starting with codellama-7b; 3 test\(s\) verify<\/td>/);
    assert.match(html, /@media \(max-width:640px\)/);
    assert.equal(shortReason(undefined), '–');
    assert.equal(shortReason(`cascade: ${'x'.repeat(200)}`).length, 90);
  });
});
