// Server-sent events parser (WHATWG HTML §9.2.6), fed with text chunks split anywhere: in the
// middle of a line, between CR and LF, inside a multi-byte character (the caller decodes UTF-8
// with a streaming decoder first). Comments (":" lines) are keep-alives and are dropped. The
// OpenAI layer on top decides what `data: [DONE]` and a non-JSON payload mean.

export interface SseEvent {
  /** The `event:` field; OpenAI-compatible servers leave it out ("message"). */
  event: string;
  /** The `data:` lines of one event joined with "\n". */
  data: string;
  id?: string;
}

export class SseParser {
  private buffer = '';
  /** The last chunk ended in CR: a LF at the start of the next one belongs to the same CRLF. */
  private pendingCR = false;
  private dataLines: string[] = [];
  private eventType = '';
  private lastId: string | undefined;
  private started = false;

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: string): SseEvent[] {
    if (!this.started && chunk !== '') {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1); // the spec drops one leading BOM
    }
    if (this.pendingCR && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.pendingCR = false;
    const text = this.buffer + chunk;
    const out: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(text.slice(start, i), out);
      if (c === 13) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else this.pendingCR = true;
      }
      start = i + 1;
    }
    this.buffer = text.slice(start);
    return out;
  }

  /** The stream ended: an event still being collected is dispatched (a server that closes right
   * after its last `data:` line without the blank line is common enough to tolerate). */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    if (this.buffer !== '') this.line(this.buffer, out);
    this.buffer = '';
    this.line('', out);
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (this.dataLines.length > 0) {
        const ev: SseEvent = { event: this.eventType || 'message', data: this.dataLines.join('\n') };
        if (this.lastId !== undefined) ev.id = this.lastId;
        out.push(ev);
      }
      this.dataLines = [];
      this.eventType = '';
      return;
    }
    if (line.startsWith(':')) return; // comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.dataLines.push(value);
    else if (field === 'event') this.eventType = value;
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
    // `retry:` and unknown fields are ignored, as the spec says.
  }
}
