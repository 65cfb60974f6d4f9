// Finds the files that hold the tests of a source file (sibling test files, tests/**), capped
// in count and size, and reads them (open editors' unsaved text first). A shared daemon cannot
// read the developer's disk, so these travel with the implementFunction request.
import * as vscode from 'vscode';
import type { RelatedFile } from '../shared/protocol';
import { RELATED_LIMITS, RelatedLimits, relatedPatterns } from './relatedPatterns';

const EXCLUDE = '{**/node_modules/**,**/.git/**,**/.venv/**,**/venv/**,**/dist/**,**/out/**,**/__pycache__/**}';

export async function findRelatedFiles(document: vscode.TextDocument, limits: RelatedLimits = RELATED_LIMITS, token?: vscode.CancellationToken): Promise<RelatedFile[]> {
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  if (!folder) return [];
  const rel = vscode.workspace.asRelativePath(document.uri, false).replace(/\\/g, '/');
  const seen = new Set<string>([document.uri.toString()]);
  const out: RelatedFile[] = [];
  let total = 0;
  for (const pattern of relatedPatterns(rel, document.languageId)) {
    if (out.length >= limits.maxFiles || token?.isCancellationRequested) break;
    const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, pattern), EXCLUDE, limits.maxFiles * 4, token);
    found.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    for (const uri of found) {
      if (out.length >= limits.maxFiles) break;
      const key = uri.toString();
      if (seen.has(key)) continue;
      seen.add(key);
      const text = await readText(uri, limits.maxFileBytes);
      if (text === undefined || total + text.length > limits.maxTotalBytes) continue;
      total += text.length;
      out.push({ uri: key, text });
    }
  }
  return out;
}

async function readText(uri: vscode.Uri, maxBytes: number): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText().length <= maxBytes ? open.getText() : undefined;
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > maxBytes) return undefined;
    return Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
  } catch {
    return undefined;
  }
}
