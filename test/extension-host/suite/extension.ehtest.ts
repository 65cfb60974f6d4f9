// Inside a real VS Code: activation, the daemon, ghost text, Implement Function as one undoable
// edit, and the status bar. Run by test/extension-host/runTests.ts (needs VSCODE_EXECUTABLE_PATH).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as vscode from 'vscode';
import type { RouterLlmApi } from '../../../extension/extension';

const WORKSPACE = process.env.ROUTERLLM_EH_WORKSPACE!;
const ROOT = process.env.ROUTERLLM_ROOT!;

function prompt(id: string): string {
  const text = zlib.gunzipSync(fs.readFileSync(path.join(ROOT, 'data', 'humaneval', 'HumanEval.jsonl.gz'))).toString('utf8');
  const line = text.split('\n').find((l) => l.includes(`"${id}"`))!;
  return (JSON.parse(line) as { prompt: string }).prompt;
}

async function until<T>(what: string, probe: () => T | undefined | false, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('extension host: RouterLLM', () => {
  let api: RouterLlmApi;

  before(async () => {
    fs.writeFileSync(path.join(WORKSPACE, 'close_elements.py'), prompt('HumanEval/0'));
    fs.writeFileSync(path.join(WORKSPACE, 'truncate.py'), prompt('HumanEval/2').replace(/^\n+/, ''));
  });

  it('activates lazily on a Python file and starts the daemon', async () => {
    const ext = vscode.extensions.getExtension<RouterLlmApi>('routerllm.routerllm')!;
    assert.ok(ext, 'extension not found');
    assert.equal(ext.isActive, false, 'activated before any Python file was opened');
    const doc = await vscode.workspace.openTextDocument(path.join(WORKSPACE, 'close_elements.py'));
    await vscode.window.showTextDocument(doc);
    api = await until('activation', () => ext.isActive && ext.exports);
    await until('the daemon to run', () => api.daemon.state.kind === 'running' || (api.daemon.state.kind === 'error' && assert.fail(api.daemon.state.reason)));
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['routerllm.implementFunction', 'routerllm.showDashboard', 'routerllm.setDaemonToken', 'routerllm.acceptedInline']) assert.ok(commands.includes(c), c);
  });

  it('offers ghost text in the body of a HumanEval prompt, then serves it from the cache', async () => {
    const editor = vscode.window.activeTextEditor!;
    await editor.edit((e) => e.insert(new vscode.Position(editor.document.lineCount - 1, 0), '    '));
    const pos = new vscode.Position(editor.document.lineCount - 1, 4);
    const ctx: vscode.InlineCompletionContext = { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined };
    const src = new vscode.CancellationTokenSource();
    const items = await api.inline.provideInlineCompletionItems(editor.document, pos, ctx, src.token);
    assert.ok(items && items.length === 1, 'no inline completion');
    const text = items[0].insertText as string;
    assert.ok(text.trim().length > 0);
    assert.equal(items[0].command?.command, 'routerllm.acceptedInline');
    const cached = await api.inline.provideInlineCompletionItems(editor.document, pos, ctx, src.token);
    assert.equal(cached?.[0].insertText, text, 'the second ask is served from the cache');
  });

  it('cancels the stale request when a newer one arrives', async () => {
    const editor = vscode.window.activeTextEditor!;
    const doc = editor.document;
    await editor.edit((e) => e.insert(new vscode.Position(doc.lineCount - 1, 4), 'x'));
    const ctx: vscode.InlineCompletionContext = { triggerKind: vscode.InlineCompletionTriggerKind.Automatic, selectedCompletionInfo: undefined };
    const a = new vscode.CancellationTokenSource();
    const first = api.inline.provideInlineCompletionItems(doc, new vscode.Position(doc.lineCount - 1, 5), ctx, a.token);
    a.cancel();
    assert.equal(await first, undefined);
  });

  it('implements a function as one undoable edit and updates the status bar', async () => {
    const before = api.statusBar.text;
    const doc = await vscode.workspace.openTextDocument(path.join(WORKSPACE, 'truncate.py'));
    const editor = await vscode.window.showTextDocument(doc);
    const original = doc.getText();
    const line = original.split('\n').findIndex((l) => l.startsWith('def truncate_number'));
    editor.selection = new vscode.Selection(line, 5, line, 5);
    const result = (await vscode.commands.executeCommand('routerllm.implementFunction')) as { body: string; tests: { found: number } } | undefined;
    assert.ok(result, 'no result');
    assert.notEqual(doc.getText(), original);
    assert.ok(doc.getText().includes(result.body));
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), original, 'one undo restores the prompt');
    await until('the status bar to change', () => api.statusBar.text !== before);
  });
});
