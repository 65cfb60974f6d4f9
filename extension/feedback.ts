// Tells the daemon what became of its answers (the `feedback` request). The daemon stores the
// verdict in the ledger (stats, recommendations) and in the session's history (a routing feature
// of the next requests), and the router learns from it (server/daemon/feedback.ts): the strategy
// that chose the model, the online pass model and, for ghost text, the inline policy's acceptance
// tallies. A request teaches once, only its own user's verdict counts, and each user's verdicts
// teach a bounded number of times per hour.
//  - accepted: an inline suggestion accepted (its item's command runs routerllm.acceptedInline);
//  - rejected: a shown suggestion typed over, or left (the cursor moved elsewhere), before the
//    next change at its position accepted it;
//  - edited (ghost text): a suggestion taken in part (accept word / line, or typing its own first
//    characters; the cache serves the rest under the same request id) and then left, with the
//    share not taken as the edit ratio (completion/suggestionTracker.ts);
//  - edited: implement code changed within 30 s after its insertion, with the share changed.
// routerllm.feedback.keepLocal: verdicts are logged here and never sent.
import * as vscode from 'vscode';
import { feedback, FeedbackParams } from '../shared/protocol';
import type { DaemonProcess } from './client';
import { editRatio } from './completion/editRatio';
import { SuggestionTracker } from './completion/suggestionTracker';
import type { Settings } from './settingsSchema';

export const EDIT_WINDOW_MS = 30_000;

interface Inserted {
  requestId: string;
  uri: string;
  start: number;
  end: number;
  text: string;
  edited: boolean;
  timer: NodeJS.Timeout;
  /** The document, to read the final text when the window closes. */
  doc?: vscode.TextDocument;
}

export class FeedbackReporter implements vscode.Disposable {
  private readonly suggestion = new SuggestionTracker((p) => this.send(p));
  private readonly inserted = new Set<Inserted>();
  private readonly sent = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly daemon: DaemonProcess,
    private readonly log: vscode.LogOutputChannel,
    private readonly settings: () => Pick<Settings, 'feedback.keepLocal'>,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => this.onChange(e)),
      vscode.window.onDidChangeTextEditorSelection((e) => this.onSelection(e)),
      vscode.workspace.onDidCloseTextDocument((d) => this.flushDocument(d.uri.toString())),
    );
  }

  /** The inline provider returned `text` at `offset` of `uri` for `requestId`. */
  suggestionShown(requestId: string, uri: string, offset: number, text: string): void {
    this.suggestion.offered(requestId, uri, offset, text);
  }

  /** routerllm.acceptedInline */
  accepted(requestId: string): void {
    this.suggestion.accepted(requestId);
  }

  /** Implement code inserted at [start, start + text.length) of `uri`. */
  implementInserted(requestId: string, uri: string, start: number, text: string): void {
    const entry: Inserted = {
      requestId,
      uri,
      start,
      end: start + text.length,
      text,
      edited: false,
      timer: setTimeout(() => this.closeWindow(entry), EDIT_WINDOW_MS),
    };
    this.inserted.add(entry);
  }

  private onChange(e: vscode.TextDocumentChangeEvent): void {
    if (!e.contentChanges.length) return;
    const uri = e.document.uri.toString();
    this.suggestion.changed(uri, e.contentChanges);
    for (const ins of this.inserted) {
      if (ins.uri !== uri) continue;
      for (const c of e.contentChanges) {
        const cStart = c.rangeOffset;
        const cEnd = c.rangeOffset + c.rangeLength;
        const delta = c.text.length - c.rangeLength;
        if (cEnd <= ins.start && !(cEnd === ins.start && c.rangeLength === 0 && c.text && ins.start === ins.end)) {
          ins.start += delta;
          ins.end += delta;
        } else if (cStart >= ins.end) {
          // after the inserted code: nothing moves
        } else {
          ins.edited = true;
          ins.end = Math.max(ins.start, ins.end + delta);
        }
      }
      ins.doc = e.document;
    }
  }

  private onSelection(e: vscode.TextEditorSelectionChangeEvent): void {
    const at = e.textEditor.document.offsetAt(e.selections[0].active);
    const byMouse = e.kind === vscode.TextEditorSelectionChangeKind.Mouse;
    // Keyboard moves (typing) come with their change; only a mouse click or a command moves away.
    if (byMouse || e.kind === vscode.TextEditorSelectionChangeKind.Command) this.suggestion.moved(e.textEditor.document.uri.toString(), at, byMouse);
  }

  private closeWindow(ins: Inserted): void {
    this.inserted.delete(ins);
    if (!ins.edited) return;
    const doc = ins.doc;
    let now = '';
    if (doc && !doc.isClosed) now = doc.getText(new vscode.Range(doc.positionAt(ins.start), doc.positionAt(ins.end)));
    this.send({ requestId: ins.requestId, kind: 'edited', editRatio: Number(editRatio(ins.text, now).toFixed(3)) });
  }

  private flushDocument(uri: string): void {
    for (const ins of [...this.inserted]) {
      if (ins.uri !== uri) continue;
      clearTimeout(ins.timer);
      this.closeWindow(ins);
    }
    this.suggestion.closed(uri);
  }

  private send(params: FeedbackParams): void {
    const key = `${params.requestId}:${params.kind}`;
    if (this.sent.has(key) || (params.kind === 'rejected' && this.sent.has(`${params.requestId}:accepted`))) return;
    this.sent.add(key);
    if (this.sent.size > 5000) this.sent.clear();
    const local = this.settings()['feedback.keepLocal'];
    this.log.info(`feedback ${params.kind} ${params.requestId}${params.editRatio !== undefined ? ` editRatio=${params.editRatio}` : ''}${local ? ' (kept local: routerllm.feedback.keepLocal)' : ''}`);
    if (local) return;
    this.daemon.request(feedback, params).catch((e) => this.log.warn(`feedback not recorded: ${(e as Error).message}`));
  }

  dispose(): void {
    for (const ins of this.inserted) clearTimeout(ins.timer);
    this.inserted.clear();
    for (const d of this.disposables) d.dispose();
  }
}
