// What became of the ghost-text suggestion on screen, from the document changes and cursor moves
// that follow it. A suggestion taken whole is "accepted" (its item's command says so); one left
// untouched, typed over or walked away from is "rejected"; one taken in part (accept word / accept
// line, Ctrl+Right, or typing its own first characters) and then left is "edited" with the share
// of it NOT taken as the edit ratio, as an edited Implement Function answer reports the share
// changed: the daemon learns the accepted share (server/routing/inline/acceptance.ts
// acceptedShare). Pure: no `vscode` import.
import type { FeedbackParams } from '../../shared/protocol';

/** One content change as VS Code reports it. */
export interface Change {
  rangeOffset: number;
  rangeLength: number;
  text: string;
}

interface Shown {
  requestId: string;
  uri: string;
  /** Where the part not yet taken starts, and that part. */
  offset: number;
  rest: string;
  /** The whole suggestion's length, and how much of it has been taken. */
  total: number;
  taken: number;
  /** The change that inserts the whole rest was seen; the accept command should follow. */
  accepting: boolean;
}

/** The verdict on a suggestion that is no longer on offer. */
export function leftVerdict(requestId: string, total: number, taken: number): FeedbackParams {
  if (taken <= 0 || total <= 0) return { requestId, kind: 'rejected' };
  if (taken >= total) return { requestId, kind: 'accepted' };
  return { requestId, kind: 'edited', editRatio: Number((1 - taken / total).toFixed(3)) };
}

export class SuggestionTracker {
  private shown: Shown | undefined;

  constructor(private readonly verdict: (params: FeedbackParams) => void) {}

  /** The provider offers `text` at `offset` of `uri` for `requestId`. The same request again is
   * what remains of it after a partial accept (the cache serves the rest): its count goes on. */
  offered(requestId: string, uri: string, offset: number, text: string): void {
    const s = this.shown;
    if (s && s.requestId === requestId && s.uri === uri) {
      s.offset = offset;
      s.rest = text;
      return;
    }
    if (s) this.leave();
    this.shown = { requestId, uri, offset, rest: text, total: text.length, taken: 0, accepting: false };
  }

  /** The item's accept command ran: the suggestion was taken whole. */
  accepted(requestId: string): void {
    if (this.shown?.requestId === requestId) this.shown = undefined;
    this.verdict({ requestId, kind: 'accepted' });
  }

  /** A change to `uri`. */
  changed(uri: string, changes: readonly Change[]): void {
    const s = this.shown;
    if (!s || s.uri !== uri || !changes.length) return;
    const c = changes[0]!;
    if (changes.length === 1 && c.rangeOffset === s.offset && c.rangeLength === 0 && c.text.length > 0 && s.rest.startsWith(c.text)) {
      s.taken += c.text.length;
      if (c.text === s.rest) s.accepting = true;
      else {
        // Taken in part: the rest stays on offer under the same request id.
        s.offset += c.text.length;
        s.rest = s.rest.slice(c.text.length);
      }
    } else if (!s.accepting) this.leave();
  }

  /** The cursor moved: by mouse, or elsewhere than the suggestion by a command. */
  moved(uri: string, offset: number, byMouse: boolean): void {
    const s = this.shown;
    if (!s || s.accepting || s.uri !== uri) return;
    if (byMouse || offset !== s.offset) this.leave();
  }

  /** The document closed: a suggestion taken in part is reported; one untouched is dropped (not
   * seen long enough to be judged). */
  closed(uri: string): void {
    const s = this.shown;
    if (s?.uri !== uri) return;
    if (s.taken > 0) this.leave();
    else this.shown = undefined;
  }

  private leave(): void {
    const s = this.shown!;
    this.shown = undefined;
    if (s.accepting) return; // the accept command says it
    this.verdict(leftVerdict(s.requestId, s.total, s.taken));
  }
}
