// Small pieces both request pipelines use.
import { ResponseError } from 'vscode-languageserver/node';
import { ErrorCodes, type DocumentRef } from '../../shared/protocol';
import type { Session } from './session';

export function documentText(session: Session, doc: DocumentRef): string {
  const text = doc.text ?? session.documentText(doc.uri);
  if (text === undefined) {
    throw new ResponseError(ErrorCodes.InvalidParams, `textDocument.text: missing, and ${doc.uri} was not opened with textDocument/didOpen`);
  }
  return text;
}
