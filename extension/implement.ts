// "RouterLLM: Implement Function": sends implementFunction with the document, the cursor and the
// related test files; shows the chosen model and each extracted test's result (a notification,
// the output channel, and a QuickPick that opens each test's source); inserts result.body at
// result.function.bodyRange as ONE undoable edit. Code that fails any of its tests is never
// inserted silently: it is shown as a diff first and inserted only on "Insert" (also every answer
// with routerllm.implement.showDiff); the diff tab closes once the user has chosen. The progress
// notification names each model as it is asked, each test run and each escalation (the daemon's
// implementProgress notifications for this request's progressToken).
import * as vscode from 'vscode';
import { randomUUID } from 'node:crypto';
import { ErrorCodes, implementFunction, ImplementFunctionResult, ImplementProgress, TestResult } from '../shared/protocol';
import { DaemonProcess, DaemonUnavailable } from './client';
import type { FeedbackReporter } from './feedback';
import { formatCo2, formatMs, formatUsd } from './format';
import type { Health } from './health';
import { findRelatedFiles } from './related';
import type { Settings } from './settingsSchema';
import type { StatusBar } from './statusBar';

export const IMPLEMENT_COMMAND = 'routerllm.implementFunction';
export const PROPOSED_SCHEME = 'routerllm-proposed';

/** Virtual documents holding proposed implementations, for the diff view. */
export class ProposedContent implements vscode.TextDocumentContentProvider {
  private readonly docs = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString()) ?? '';
  }
  set(uri: vscode.Uri, text: string): void {
    this.docs.set(uri.toString(), text);
    this.emitter.fire(uri);
  }
  delete(uri: vscode.Uri): void {
    this.docs.delete(uri.toString());
  }
}

export interface ImplementDeps {
  daemon: DaemonProcess;
  settings: () => Settings;
  feedback: FeedbackReporter;
  health: Health;
  statusBar: StatusBar;
  log: vscode.LogOutputChannel;
  proposed: ProposedContent;
}

/** Progress listeners by progressToken; extension.ts routes the daemon's notifications here. */
const progressListeners = new Map<string, (p: ImplementProgress) => void>();
export function dispatchImplementProgress(p: ImplementProgress): void {
  progressListeners.get(p.progressToken)?.(p);
}

/** The last result, for the extension-host tests. */
export let lastImplementResult: ImplementFunctionResult | undefined;

export async function implementCommand(deps: ImplementDeps): Promise<ImplementFunctionResult | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('RouterLLM: open a file and put the cursor in a function to implement.');
    return undefined;
  }
  const document = editor.document;
  const settings = deps.settings();
  if (!(settings.languages as string[]).includes(document.languageId)) {
    void vscode.window.showInformationMessage(`RouterLLM: ${document.languageId} is not among routerllm.languages (${settings.languages.join(', ')}).`);
    return undefined;
  }
  const position = editor.selection.active;
  const version = document.version;

  let result: ImplementFunctionResult;
  try {
    result = await deps.statusBar.withBusy(async () =>
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'RouterLLM: implementing the function…', cancellable: true },
        async (progress, token) => {
          const related = await findRelatedFiles(document, undefined, token);
          progress.report({ message: related.length ? `with ${related.length} related file(s)` : undefined });
          const progressToken = randomUUID();
          // The models tried stay in view: "deepseek-coder-1.3b ✗ → asking deepseek-coder-6.7b".
          const trail: string[] = [];
          progressListeners.set(progressToken, (p) => {
            deps.log.info(`implement: ${p.message}`);
            if (p.stage === 'passed' || p.stage === 'failed') trail.push(`${p.model} ${p.stage === 'passed' ? '✓' : '✗'}`);
            const now = { calling: `asking ${p.model}`, testing: `testing ${p.model}'s answer`, escalating: `escalating to ${p.model}`, passed: '', failed: '' }[p.stage];
            progress.report({ message: [...trail, ...(now ? [now] : [])].join(' → ') });
          });
          try {
            return await deps.daemon.request(
              implementFunction,
              {
                textDocument: { uri: document.uri.toString(), languageId: document.languageId, text: document.getText() },
                position: { line: position.line, character: position.character },
                related,
                strategy: settings.strategy,
                runTests: true,
                progressToken,
              },
              token,
            );
          } finally {
            progressListeners.delete(progressToken);
          }
        },
      ),
      'Implement Function',
    );
  } catch (e) {
    const code = (e as { code?: number }).code;
    if (code === ErrorCodes.RequestCancelled) return undefined;
    if (code === ErrorCodes.NoFunctionAtCursor) {
      void vscode.window.showInformationMessage('RouterLLM: put the cursor inside a function (its signature or body) to implement it.');
      return undefined;
    }
    // An explicit command never ends in silence, even when the same failure was just shown.
    deps.health.requestFailed('Implement Function', e instanceof DaemonUnavailable ? new Error(`${e.message}`) : e, { explicit: true });
    return undefined;
  }
  lastImplementResult = result;
  report(result, deps.log);

  const failing = result.tests.failed > 0;
  if ((failing || settings['implement.showDiff']) && !(await confirmWithDiff(document, result, deps.proposed))) {
    deps.log.info(`implement ${result.requestId}: discarded after the diff`);
    return result;
  }
  if (document.version !== version) {
    deps.health.warn(`RouterLLM: ${vscode.workspace.asRelativePath(document.uri)} changed while ${result.function.name} was being implemented; nothing was inserted (the implementation is in the RouterLLM output).`);
    deps.log.info(result.body);
    return result;
  }
  const range = toRange(result.function.bodyRange);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, range, result.body);
  if (!(await vscode.workspace.applyEdit(edit))) {
    deps.health.warn('RouterLLM: the implementation could not be inserted.');
    return result;
  }
  deps.feedback.implementInserted(result.requestId, document.uri.toString(), document.offsetAt(range.start), result.body);
  showSummary(result);
  return result;
}

function toRange(r: { start: { line: number; character: number }; end: { line: number; character: number } }): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

/** "tests 3/3 passed", "no tests run (no tests found)". */
export function testsSummary(r: ImplementFunctionResult): string {
  if (r.tests.found === 0 || r.tests.skipped) return `no tests run${r.tests.skipped ? ` (${r.tests.skipped})` : ''}`;
  return `tests ${r.tests.passed}/${r.tests.found} passed`;
}

function report(r: ImplementFunctionResult, log: vscode.LogOutputChannel): void {
  log.info(
    `implement ${r.requestId}: ${r.function.name} by ${r.decision.model} (strategy ${r.decision.strategy}: ${r.decision.explanation}); ` +
      `${testsSummary(r)}; ${formatCo2(r.footprint.co2g)} CO2e, ${formatUsd(r.footprint.costUsd)}, ${formatMs(r.latencyMs)}`,
  );
  for (const a of r.attempts) log.info(`  attempt ${a.model}: ${a.passed === null ? 'not tested' : a.passed ? 'passed' : 'failed'} (${a.reason}), ${formatMs(a.latencyMs)}`);
  for (const f of r.fallbacks) log.info(`  fallback ${f.from} -> ${f.to ?? 'none'}: ${f.reason}`);
  for (const t of r.tests.results) {
    log.info(`  ${t.passed ? 'PASS' : 'FAIL'} ${t.name} (${vscode.Uri.parse(t.source.uri).fsPath}:${t.source.line + 1})${t.message ? `: ${t.message}` : ''}`);
  }
}

function showSummary(r: ImplementFunctionResult): void {
  const msg = `RouterLLM: ${r.function.name} implemented by ${r.decision.model}: ${testsSummary(r)} · ${formatCo2(r.footprint.co2g)} CO2e · ${formatUsd(r.footprint.costUsd)}`;
  const show = r.tests.failed > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const buttons = r.tests.results.length ? ['Show Tests'] : [];
  void show(msg, ...buttons).then((choice) => {
    if (choice === 'Show Tests') void pickTest(r.tests.results);
  });
}

/** A QuickPick of the test results; picking one opens its source. */
export async function pickTest(results: TestResult[]): Promise<void> {
  type Item = vscode.QuickPickItem & { test: TestResult };
  const items: Item[] = results.map((t) => ({
    label: `${t.passed ? '$(pass)' : '$(error)'} ${t.name}`,
    description: `${vscode.workspace.asRelativePath(vscode.Uri.parse(t.source.uri))}:${t.source.line + 1}`,
    detail: t.message,
    test: t,
  }));
  const picked = await vscode.window.showQuickPick(items, { title: 'RouterLLM: test results', matchOnDescription: true });
  if (!picked) return;
  const pos = new vscode.Position(picked.test.source.line, 0);
  await vscode.window.showTextDocument(vscode.Uri.parse(picked.test.source.uri), { selection: new vscode.Range(pos, pos), preview: true });
}

async function confirmWithDiff(document: vscode.TextDocument, r: ImplementFunctionResult, proposed: ProposedContent): Promise<boolean> {
  const range = toRange(r.function.bodyRange);
  const text = document.getText();
  const after = text.slice(0, document.offsetAt(range.start)) + r.body + text.slice(document.offsetAt(range.end));
  const uri = vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: document.uri.path, query: r.requestId });
  proposed.set(uri, after);
  const failing = r.tests.failed > 0;
  await vscode.commands.executeCommand('vscode.diff', document.uri, uri, `${r.function.name}: RouterLLM's implementation (${r.decision.model}, ${testsSummary(r)})`, { preview: true });
  const question = failing
    ? `RouterLLM: ${r.function.name} by ${r.decision.model} fails ${r.tests.failed} of ${r.tests.found} tests (best of ${r.attempts.length} model${r.attempts.length > 1 ? 's' : ''}). Insert it anyway?`
    : `RouterLLM: insert ${r.function.name} by ${r.decision.model}? ${testsSummary(r)}.`;
  const show = failing ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const choice = await show(question, 'Insert', 'Discard');
  proposed.delete(uri);
  await closeDiff(uri);
  await vscode.window.showTextDocument(document, { preview: false });
  return choice === 'Insert';
}

/** Closes the diff tab whose right side is `proposed` (showTextDocument alone leaves it open). */
async function closeDiff(proposed: vscode.Uri): Promise<void> {
  const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === proposed.toString());
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
}
