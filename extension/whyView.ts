// Shows "Why this model?" (why.ts decides the words): a short modal; "Show Details" writes the
// daemon's whole trace to the RouterLLM log and opens it.
import * as vscode from 'vscode';
import type { LastInline } from './inline';
import { whyView } from './why';

export async function showWhy(last: LastInline | undefined, log: { info(line: string): void; show(preserveFocus: boolean): void }): Promise<void> {
  if (!last) {
    await vscode.window.showInformationMessage('RouterLLM: no ghost text has been shown in this window yet.');
    return;
  }
  const view = whyView(last);
  const choice = await vscode.window.showInformationMessage(view.title, { modal: true, detail: [view.because, ...view.facts].join('\n\n') }, 'Show Details');
  if (choice === 'Show Details') {
    log.info(`why this model: ${view.details.join('\n')}`);
    log.show(true);
  }
}
