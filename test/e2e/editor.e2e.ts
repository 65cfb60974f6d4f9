// End to end, in a real VS Code: code-server 4.139.1 (VS Code 1.139) driven by Debian's chromium
// through playwright-core (recipe: /work/shared/notes/editor-e2e.md). The test builds and packages
// the extension, installs the .vsix into code-server, starts the recorded fleet and lets the real
// daemon (dist/server.js, spawned by the extension with this test's Node) route to it; then, as a
// user: sees ghost text in a HumanEval prompt and accepts it with Tab, runs "RouterLLM: Implement
// Function" from the palette (F1) and sees the test results, and reads the status bar's carbon and
// cost change. Screenshots of each step land in out/e2e/ (the test's artifacts), with the logs.
//
//   npm run test:e2e        (installs the tools into .tools/ first when missing: scripts/e2e-setup.sh)
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { humanEvalTask } from './humaneval';
import { ARTIFACTS, CHROMIUM, CODE_SERVER, ensureTools, findFiles, freePort, httpStatus, NODE24, Proc, ROOT, run, startProcess, waitFor } from './tools';

const EXTENSION_ID = 'routerllm.routerllm';

describe('e2e: the RouterLLM extension in code-server', function () {
  const timings: Record<string, number> = {};
  let t0 = Date.now();
  const lap = (name: string) => {
    const now = Date.now();
    timings[name] = now - t0;
    t0 = now;
  };
  let tmp: string;
  let workspace: string;
  let userData: string;
  let extensionsDir: string;
  let fleet: Proc | undefined;
  let codeServer: Proc | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let shot = 0;
  const screenshot = async (name: string) => {
    const file = path.join(ARTIFACTS, `${String(++shot).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file });
    return file;
  };
  const statusItem = () => page.locator('.statusbar-item', { hasText: 'RouterLLM' }).first();
  const statusText = async () => (await statusItem().innerText()).replace(/\s+/g, ' ').trim();

  before(async function () {
    this.timeout(30 * 60_000);
    const started = Date.now();
    fs.rmSync(ARTIFACTS, { recursive: true, force: true });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    ensureTools();
    lap('tools');

    // Build and package exactly what ships.
    run('npm', ['run', 'package']);
    const vsix = path.join(ROOT, 'out', 'routerllm.vsix');
    assert.ok(fs.existsSync(vsix), 'npm run package made no out/routerllm.vsix');
    timings.vsixBytes = fs.statSync(vsix).size;
    lap('build+package');

    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-e2e-'));
    workspace = path.join(tmp, 'workspace');
    userData = path.join(tmp, 'data');
    extensionsDir = path.join(tmp, 'ext');
    fs.mkdirSync(workspace, { recursive: true });
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });

    // The recorded fleet on a free port, with a little of its modelled latency.
    fleet = startProcess('fleet', process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'fleet', '--port', '0', '--latency-scale', '0.05']);
    const fleetUrl = await waitFor(
      'the recorded fleet to listen',
      async () => {
        if (fleet!.child.exitCode !== null) throw new Error(`the fleet exited ${fleet!.child.exitCode}:\n${fleet!.output()}`);
        return /listening on (http:\/\/\S+)/.exec(fleet!.output())?.[1];
      },
      60_000,
    );
    lap('fleet');

    // The workspace: HumanEval/0 for ghost text, HumanEval/2 to implement.
    fs.writeFileSync(path.join(workspace, 'close_elements.py'), humanEvalTask('HumanEval/0').prompt);
    fs.writeFileSync(path.join(workspace, 'truncate.py'), humanEvalTask('HumanEval/2').prompt.replace(/^\n+/, ''));
    const config = path.join(tmp, 'routerllm.json');
    fs.writeFileSync(config, JSON.stringify({ fleetUrl, stateDir: path.join(tmp, 'state') }, null, 2));
    fs.writeFileSync(
      path.join(userData, 'User', 'settings.json'),
      JSON.stringify(
        {
          // The daemon runs in this machine's Node 20 (its native modules are built for it), from
          // the repository so they resolve from its node_modules.
          'routerllm.daemon.nodePath': process.execPath,
          'routerllm.daemon.serverPath': path.join(ROOT, 'dist', 'server.js'),
          'routerllm.daemon.configFile': config,
          'routerllm.inline.debounceMs': 100,
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          'workbench.enableExperiments': false,
          'workbench.secondarySideBar.defaultVisibility': 'hidden',
          'chat.disableAIFeatures': true,
          'security.workspace.trust.enabled': false,
          'telemetry.telemetryLevel': 'off',
          'extensions.ignoreRecommendations': true,
          'extensions.autoCheckUpdates': false,
          'update.mode': 'none',
          'editor.inlineSuggest.enabled': true,
          // Keep the suggest widget out of the way: Tab must accept the ghost text.
          'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
          'editor.suggestOnTriggerCharacters': false,
          'editor.wordBasedSuggestions': 'off',
          'files.autoSave': 'off',
        },
        null,
        2,
      ),
    );

    const csEnv = { ...process.env, PATH: `${path.dirname(NODE24)}:${process.env.PATH}` };
    run(NODE24, [CODE_SERVER, '--extensions-dir', extensionsDir, '--user-data-dir', userData, '--install-extension', vsix], { env: csEnv });
    lap('install-extension');

    const port = await freePort();
    codeServer = startProcess(
      'code-server',
      NODE24,
      [CODE_SERVER, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--extensions-dir', extensionsDir, '--user-data-dir', userData, '--disable-workspace-trust', '--disable-telemetry', '--disable-update-check', workspace],
      { env: csEnv },
    );
    await waitFor('code-server to answer', async () => (await httpStatus(`http://127.0.0.1:${port}/healthz`)) === 200, 120_000, 500);
    lap('code-server');

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 180_000 });
    await page.waitForTimeout(2000);
    await screenshot('workbench');
    lap('workbench');
    timings.setupMs = Date.now() - started;
  });

  after(async function () {
    this.timeout(60_000);
    try {
      // Keep the logs next to the screenshots.
      if (userData) {
        for (const f of findFiles(path.join(userData, 'logs'), /\.log$/)) {
          const rel = path.relative(path.join(userData, 'logs'), f).replace(/[\\/]/g, '__');
          fs.copyFileSync(f, path.join(ARTIFACTS, `log__${rel}`));
        }
      }
      fs.writeFileSync(path.join(ARTIFACTS, 'timings.json'), JSON.stringify(timings, null, 2));
    } finally {
      await browser?.close().catch(() => undefined);
      await codeServer?.stop();
      await fleet?.stop();
      if (tmp && !process.env.ROUTERLLM_E2E_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  async function openFile(name: string): Promise<void> {
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } }).catch(() => undefined);
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(name);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: name }).waitFor();
    await page.locator('.monaco-editor .view-lines').first().waitFor();
  }

  async function runCommand(title: string): Promise<void> {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
    await page.keyboard.press('Enter');
  }

  /** Clicks into the active editor (as a user would) and moves the cursor to the end of the file. */
  async function focusEditorAtEnd(): Promise<void> {
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+End');
  }

  /** Ctrl+S, then waits until the active tab is no longer dirty (the file is on disk). */
  async function save(): Promise<void> {
    await page.keyboard.press('Control+S');
    await page.locator('.tab.active.dirty').waitFor({ state: 'detached', timeout: 15_000 });
    await page.waitForTimeout(300);
  }

  let statusBefore = '';

  it('activates on a Python file, starts the daemon and shows the status bar', async () => {
    t0 = Date.now();
    await openFile('close_elements.py');
    await statusItem().waitFor({ timeout: 60_000 });
    // The daemon is up when the item leaves its starting state without turning into an error.
    await page.waitForTimeout(3000);
    statusBefore = await statusText();
    await screenshot('activated');
    assert.ok(!/error/i.test((await statusItem().getAttribute('class')) ?? ''), `status bar in error: ${statusBefore}`);
    assert.match(statusBefore, /RouterLLM\s+[\d.]+ g · \$[\d.]+/);
    lap('activate');
  });

  let ghost = '';
  it('shows ghost text in a HumanEval prompt and Tab accepts it', async () => {
    await focusEditorAtEnd();
    await page.keyboard.type('    ', { delay: 40 });
    const ghostSel = '.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text';
    await page.waitForSelector(ghostSel, { timeout: 90_000 });
    await page.waitForTimeout(300);
    ghost = (await page.locator(ghostSel).allTextContents()).join('\n').replace(/\u00a0/g, ' ');
    await screenshot('ghost-text');
    assert.ok(ghost.trim().length > 0, 'ghost text is empty');
    await page.keyboard.press('Tab');
    await page.waitForTimeout(500);
    await screenshot('ghost-text-accepted');
    await save();
    const text = fs.readFileSync(path.join(workspace, 'close_elements.py'), 'utf8');
    const squash = (x: string) => x.replace(/\s+/g, '');
    // Each piece of ghost text the editor rendered (inline part, lines below) is now in the file.
    const pieces = ghost.split('\n').map(squash).filter(Boolean);
    assert.ok(pieces.length && pieces.every((p) => squash(text).includes(p)), `the accepted text is not in the file:\n--- ghost\n${ghost}\n--- file\n${text}`);
    assert.ok(text.length > humanEvalTask('HumanEval/0').prompt.length + 10, 'the file did not grow');
    lap('ghost-text');
  });

  let notification = '';
  it('implements a function from the palette (F1) and shows the test results', async () => {
    await openFile('truncate.py');
    await page.locator('.monaco-editor .view-line', { hasText: 'def truncate_number' }).first().click();
    await runCommand('RouterLLM: Implement Function');
    const toast = page.locator('.notification-toast', { hasText: /implemented by/ }).first();
    await toast.waitFor({ timeout: 180_000 });
    notification = (await toast.innerText()).replace(/\s+/g, ' ');
    await screenshot('implement-result');
    assert.match(notification, /truncate_number implemented by \S+: (tests \d+\/\d+ passed|no tests run)/);
    assert.match(notification, /tests \d+\/\d+ passed/, `no test results in: ${notification}`);
    await save();
    const original = humanEvalTask('HumanEval/2').prompt.replace(/^\n+/, '');
    const implemented = fs.readFileSync(path.join(workspace, 'truncate.py'), 'utf8');
    assert.notEqual(implemented, original, 'nothing was inserted');
    assert.match(implemented, /return/);

    // The results with their source locations, from the notification's "Show Tests" button.
    await toast.locator('.monaco-button', { hasText: 'Show Tests' }).click();
    await page.locator('.quick-input-list .monaco-list-row').first().waitFor();
    await screenshot('implement-tests');
    const rows = (await page.locator('.quick-input-list .monaco-list-row').allInnerTexts()).join('\n');
    assert.match(rows, /truncate\.py:\d+/);
    await page.keyboard.press('Escape');

    // One undoable edit: a single undo restores the prompt.
    await page.locator('.editor-group-container.active .monaco-editor .view-line', { hasText: 'def truncate_number' }).first().click();
    await page.keyboard.press('Control+Z');
    await save();
    assert.equal(fs.readFileSync(path.join(workspace, 'truncate.py'), 'utf8'), original, 'one undo did not remove the whole insertion');
    await page.keyboard.press('Control+Shift+Z');
    await save();
    assert.equal(fs.readFileSync(path.join(workspace, 'truncate.py'), 'utf8'), implemented);
    lap('implement');
  });

  it('shows the session carbon and cost change in the status bar, and the dashboard', async () => {
    const after = await waitFor('the status bar to change', async () => {
      const t = await statusText();
      return t !== statusBefore && /[1-9]/.test(/([\d.]+) g/.exec(t)?.[1] ?? '') ? t : undefined;
    }, 30_000);
    await statusItem().hover();
    await page.waitForTimeout(800);
    await screenshot('status-bar');
    const co2 = Number(/([\d.]+) g/.exec(after)![1]);
    const usd = Number(/\$([\d.]+)/.exec(after)![1]);
    assert.ok(co2 > 0, `carbon did not grow: ${statusBefore} -> ${after}`);
    assert.ok(usd >= 0);
    fs.writeFileSync(path.join(ARTIFACTS, 'status-bar.txt'), `before: ${statusBefore}\nafter:  ${after}\nnotification: ${notification}\nghost text:\n${ghost}\n`);
    await page.keyboard.press('Escape');
    await page.mouse.move(700, 300);
    await statusItem().click();
    await page.locator('.webview, iframe.webview').first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(2500);
    await screenshot('dashboard');
    lap('status+dashboard');
  });

  it('activated without errors (extension host log) and sent feedback', async () => {
    const logs = findFiles(path.join(userData, 'logs'), /\.log$/);
    const exthost = logs.filter((f) => /exthost/i.test(f) && !/routerllm/i.test(path.basename(f)));
    const text = exthost.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    assert.ok(exthost.length > 0, `no extension-host log under ${userData}/logs: ${logs.join(', ')}`);
    assert.match(text, new RegExp(`ExtensionService#_doActivateExtension ${EXTENSION_ID.replace('.', '\\.')}`), 'the extension host never activated RouterLLM');
    assert.doesNotMatch(text, new RegExp(`Activating extension '?${EXTENSION_ID.replace('.', '\\.')}'? failed`), 'activation failed');
    const own = logs.filter((f) => /RouterLLM\.log$/.test(f)).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    assert.match(own, /daemon running/, 'the extension never saw the daemon running');
    assert.match(own, /feedback accepted/, 'accepting the ghost text sent no feedback');
    assert.doesNotMatch(own, /cannot start the daemon|daemon stopped/);
  });
});
