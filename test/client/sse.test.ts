import { strict as assert } from 'node:assert';
import { SseParser, type SseEvent } from '../../server/client/sse';

function feed(chunks: string[]): SseEvent[] {
  const p = new SseParser();
  const out: SseEvent[] = [];
  for (const c of chunks) out.push(...p.push(c));
  out.push(...p.end());
  return out;
}

describe('client/sse', () => {
  const stream = 'data: {"a":1}\n\n: keep-alive\n\ndata: {"b":2}\n\ndata: [DONE]\n\n';

  it('parses events, drops comments', () => {
    assert.deepEqual(
      feed([stream]).map((e) => e.data),
      ['{"a":1}', '{"b":2}', '[DONE]'],
    );
  });

  it('gives the same events however the stream is split', () => {
    const whole = feed([stream]);
    for (let size = 1; size <= 7; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.slice(i, i + size));
      assert.deepEqual(feed(chunks), whole, `chunk size ${size}`);
    }
  });

  it('handles CRLF, including a CR and LF in different chunks, and bare CR', () => {
    const crlf = stream.replace(/\n/g, '\r\n');
    const expected = ['{"a":1}', '{"b":2}', '[DONE]'];
    assert.deepEqual(feed([crlf]).map((e) => e.data), expected);
    const cut = crlf.indexOf('\r\n') + 1; // between \r and \n
    assert.deepEqual(feed([crlf.slice(0, cut), crlf.slice(cut)]).map((e) => e.data), expected);
    assert.deepEqual(feed([stream.replace(/\n/g, '\r')]).map((e) => e.data), expected);
  });

  it('joins multi-line data, reads event and id, accepts "data:" without a space', () => {
    const ev = feed(['event: delta\nid: 7\ndata:line1\ndata: line2\n\n']);
    assert.deepEqual(ev, [{ event: 'delta', id: '7', data: 'line1\nline2' }]);
  });

  it('dispatches a last event that lacks its blank line at end of stream', () => {
    assert.deepEqual(feed(['data: x\n', 'data: y']).map((e) => e.data), ['x\ny']);
  });

  it('ignores a leading BOM and events without data', () => {
    assert.deepEqual(feed(['\ufeffdata: 1\n\nevent: ping\n\n']).map((e) => e.data), ['1']);
  });
});
