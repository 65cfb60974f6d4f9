// Ghost text: an InlineCompletionItemProvider over the daemon's inlineCompletion request.
// Debounced (routerllm.inline.debounceMs); one request in flight per document, the stale one
// cancelled (its CancellationToken goes to sendRequest, which sends $/cancelRequest); an LRU
// cache that also serves what remains of a suggestion the user types through. The daemon
// post-processes the suggestion (server/completion/chain.ts, fitted to the editor's indentation
// sent with the request): the extension shows what it returns.
// The user's controls (on/off, snooze, per-language, manual trigger: completion/gate.ts) are read
// before anything is sent; no request where the function is already complete or where the text
// before the cursor ends with the suggestion just accepted (completion/bodyComplete.ts). The
// status item spins while a request is in flight; the last answer's decision is kept for
// "Why this model?".
import * as vscode from 'vscode';
import { Decision, ErrorCodes, Fallback, Footprint, inlineCompletion, type InlineCompletionParams, InlineCompletionResult } from '../shared/protocol';
import { DaemonProcess, DaemonUnavailable } from './client';
import { functionBodyComplete, repeatsPrefix } from './completion/bodyComplete';
import { CompletionCache } from './completion/cache';
import { inlineGate } from './completion/gate';
import type { FeedbackReporter } from './feedback';
import type { Health } from './health';
import type { Settings } from './settingsSchema';
import type { WhyInput } from './why';
import type { StatusBar } from './statusBar';

/** The last ghost text's routing, for "Why this model?" (what why.ts reads, and when). */
export interface LastInline extends WhyInput {
  at: Date;
}

export const ACCEPTED_COMMAND = 'routerllm.acceptedInline';

interface OtherSuggestion {
  text: string;
  requestId: string;
}
/** Other suggestions kept (a few per document is all cycling needs). */
const MAX_OTHERS = 100;

/** Documents larger than this are not sent in full with each request (the daemon keeps a synced copy). */
const MAX_INLINE_TEXT = 500_000;

function sleep(ms: number, token: vscode.CancellationToken): Promise<boolean> {
  return new Promise((resolve) => {
    if (ms <= 0) return resolve(!token.isCancellationRequested);
    const sub = token.onCancellationRequested(() => {
      clearTimeout(t);
      sub.dispose();
      resolve(false);
    });
    const t = setTimeout(() => {
      sub.dispose();
      resolve(!token.isCancellationRequested);
    }, ms);
  });
}

/** The indentation the editor inserts in this document (the daemon fits suggestions to it). */
function indentOf(document: vscode.TextDocument): { insertSpaces: boolean; tabSize: number } {
  const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
  return {
    insertSpaces: editor ? Boolean(editor.options.insertSpaces) : true,
    tabSize: editor && typeof editor.options.tabSize === 'number' ? editor.options.tabSize : 4,
  };
}

function isCancellation(e: unknown): boolean {
  const code = (e as { code?: number })?.code;
  return code === ErrorCodes.RequestCancelled || (e as Error)?.name === 'Canceled';
}

export class InlineProvider implements vscode.InlineCompletionItemProvider, vscode.Disposable {
  readonly cache = new CompletionCache({ maxEntries: 100, ttlMs: 5 * 60_000 });
  private readonly inFlight = new Map<string, vscode.CancellationTokenSource>();
  private readonly disposables: vscode.Disposable[] = [];
  /** The suggestion last shown per document: once the text before the cursor ends with it, it was
   * accepted and is not asked for again. */
  private readonly lastShown = new Map<string, string>();
  last: LastInline | undefined;
  /** The other suggestion fetched for a shown one, by the shown one's request id. */
  private readonly others = new Map<string, OtherSuggestion>();

  constructor(
    private readonly daemon: DaemonProcess,
    private readonly settings: () => Settings,
    private readonly feedback: FeedbackReporter,
    private readonly health: Health,
    private readonly log: vscode.LogOutputChannel,
    private readonly statusBar: StatusBar,
    /** Epoch ms until which ghost text is snoozed (0: not). */
    private readonly snoozedUntil: () => number,
  ) {
    this.disposables.push(vscode.workspace.onDidCloseTextDocument((d) => this.cache.clear(d.uri.toString())));
  }

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    const settings = this.settings();
    const explicit = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke;
    const gate = inlineGate({ settings, languageId: document.languageId, explicit, snoozedUntil: this.snoozedUntil(), now: Date.now() });
    if (!gate.allowed) return undefined;
    const uri = document.uri.toString();
    const offset = document.offsetAt(position);
    const text = document.getText();
    const prefix = text.slice(0, offset);
    const suffix = text.slice(offset);

    const hit = this.cache.get(uri, prefix, suffix);
    if (hit && !repeatsPrefix(prefix, hit.text)) {
      const shown = this.items(hit.text, hit.requestId, uri, offset, position);
      if (!explicit || !hit.model) return shown;
      // Asked for explicitly where a suggestion already stands (the editor's "Show Next Inline
      // Suggestion", Alt+], asks again explicitly): one more, from a model that has not answered
      // here, asked once per suggestion; the editor cycles between them.
      const other = this.others.get(hit.requestId) ?? (await this.another(document, position, text, hit.model, token));
      if (other) this.others.set(hit.requestId, other);
      return other && other.text !== hit.text ? [...shown, this.item(other.text, other.requestId, position)] : shown;
    }
    // Just accepted, or nothing left to write in this function: no request (an explicit trigger
    // still asks).
    const justAccepted = this.lastShown.get(uri);
    if (!explicit && ((justAccepted && prefix.endsWith(justAccepted)) || functionBodyComplete(prefix, suffix, document.languageId))) {
      this.log.trace(`inline: no request at ${position.line + 1}:${position.character + 1} (${justAccepted && prefix.endsWith(justAccepted) ? 'suggestion just accepted' : 'function complete'})`);
      return undefined;
    }

    // One request per document: a newer keystroke cancels the older request.
    this.inFlight.get(uri)?.cancel();
    const source = new vscode.CancellationTokenSource();
    this.inFlight.set(uri, source);
    const sub = token.onCancellationRequested(() => source.cancel());
    try {
      if (!(await sleep(explicit ? 0 : settings['inline.debounceMs'], source.token))) return undefined;
      if (!this.daemon.running) return undefined;
      const started = Date.now();
      const result: InlineCompletionResult = await this.statusBar.withBusy(
        () => this.daemon.request(inlineCompletion, this.params(document, position, text, explicit ? 'invoked' : 'automatic'), source.token),
        'ghost text',
      );
      if (source.token.isCancellationRequested) return undefined;
      this.health.requestAnswered();
      const wallMs = Date.now() - started;
      this.last = { requestId: result.requestId, decision: result.decision, fallbacks: result.fallbacks, footprint: result.footprint, latencyMs: result.latencyMs, wallMs, at: new Date() };
      // The daemon's items insert at the cursor, already post-processed; blank ones never come.
      const shown = result.items[0]?.insertText;
      this.log.info(`inline ${result.requestId}: ${result.decision.model} in ${wallMs} ms, ${shown ? shown.length : 0} chars`);
      if (!shown || repeatsPrefix(prefix, shown)) return undefined;
      this.cache.set(uri, prefix, suffix, { text: shown, requestId: result.requestId, model: result.decision.model });
      return this.items(shown, result.requestId, uri, offset, position);
    } catch (e) {
      if (isCancellation(e) || source.token.isCancellationRequested) return undefined;
      if (e instanceof DaemonUnavailable) return undefined; // the status bar already says so
      this.health.requestFailed('inline completion', e);
      return undefined;
    } finally {
      sub.dispose();
      if (this.inFlight.get(uri) === source) this.inFlight.delete(uri);
      source.dispose();
    }
  }

  private items(text: string, requestId: string, uri: string, offset: number, position: vscode.Position): vscode.InlineCompletionItem[] {
    this.feedback.suggestionShown(requestId, uri, offset, text);
    if (text.trim().length >= 8) this.lastShown.set(uri, text);
    return [this.item(text, requestId, position)];
  }

  /** The daemon request for ghost text at `position` (the whole text unless it is very large). */
  private params(document: vscode.TextDocument, position: vscode.Position, text: string, trigger: 'invoked' | 'automatic'): InlineCompletionParams {
    return {
      textDocument: { uri: document.uri.toString(), languageId: document.languageId, ...(text.length <= MAX_INLINE_TEXT ? { text } : {}) },
      position: { line: position.line, character: position.character },
      trigger,
      strategy: this.settings().strategy,
      formatting: indentOf(document),
    };
  }

  /** An item whose acceptance is reported for its own request. */
  private item(text: string, requestId: string, position: vscode.Position): vscode.InlineCompletionItem {
    return new vscode.InlineCompletionItem(text, new vscode.Range(position, position), {
      title: 'RouterLLM: suggestion accepted',
      command: ACCEPTED_COMMAND,
      arguments: [requestId],
    });
  }

  /** Another suggestion at the cursor, from a model other than `seen`; undefined when no other
   * eligible model is left or the request fails (the first suggestion still stands). */
  private async another(document: vscode.TextDocument, position: vscode.Position, text: string, seen: string, token: vscode.CancellationToken): Promise<OtherSuggestion | undefined> {
    if (!this.daemon.running) return undefined;
    try {
      const result = await this.daemon.request(inlineCompletion, { ...this.params(document, position, text, 'invoked'), exclude: [seen] }, token);
      const other = result.items[0]?.insertText;
      this.log.info(`inline ${result.requestId}: another suggestion from ${result.decision.model}, ${other ? other.length : 0} chars`);
      if (this.others.size >= MAX_OTHERS) this.others.delete(this.others.keys().next().value!);
      return other ? { text: other, requestId: result.requestId } : undefined;
    } catch (e) {
      if (!isCancellation(e)) this.log.info(`inline: no other suggestion: ${(e as Error)?.message ?? String(e)}`);
      return undefined;
    }
  }

  dispose(): void {
    for (const s of this.inFlight.values()) s.cancel();
    this.inFlight.clear();
    for (const d of this.disposables) d.dispose();
  }
}
