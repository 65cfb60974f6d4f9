// The JSON-RPC 2.0 envelope of a message a shared daemon receives, checked before the LSP library
// sees it. The library answers a message that is neither request, response nor notification with
// a log line to the client and no error; JSON-RPC says such a client gets Invalid Request (and
// unreadable JSON a Parse error), with the request's id when it has a usable one.
export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;

export type Envelope = { ok: true } | { ok: false; id: string | number | null; code: number; message: string };

const isId = (v: unknown): v is string | number | null => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

const isRequestId = (v: unknown): v is string | number => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

export function checkEnvelope(m: unknown): Envelope {
  const bad = (message: string, id: string | number | null = null): Envelope => ({ ok: false, id, code: INVALID_REQUEST, message: `Invalid Request: ${message}` });
  if (Array.isArray(m)) return bad('batches are not supported; send one message per frame');
  if (m === null || typeof m !== 'object') return bad(`a message is a JSON object, not ${m === null ? 'null' : typeof m}`);
  const r = m as Record<string, unknown>;
  const id = isId(r.id) ? r.id : null;
  if (r.jsonrpc !== '2.0') return bad('"jsonrpc" must be "2.0"', id);
  if ('id' in r && !isId(r.id)) return bad('"id" must be a string, a number or null');
  if ('method' in r) {
    if (typeof r.method !== 'string' || !r.method) return bad('"method" must be a non-empty string', id);
    if ('params' in r && (r.params === null || typeof r.params !== 'object')) return bad('"params" must be an object or an array', id);
    // The library keys cancellations by the id they name and throws on one without.
    if (r.method === '$/cancelRequest' && !isRequestId((r.params as { id?: unknown } | undefined)?.id)) return bad('$/cancelRequest needs params.id, a string or a number', id);
    return { ok: true };
  }
  // A response to a request the daemon sent (it sends few: configuration, log messages).
  if ('id' in r && ('result' in r || 'error' in r)) return { ok: true };
  return bad('neither a request, a notification nor a response', id);
}

export function errorFrame(id: string | number | null, code: number, message: string): string {
  return JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } });
}
