// The only I/O of discovery: one JSON request with a short deadline. Every failure (refused,
// timed out, not JSON, too large, an HTTP error) is a null, never a throw: a port with nothing
// on it, or with something that is not a model engine, is simply "not found".

/** Bodies larger than this are not an engine's model list; stop reading. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export async function getJson(base: string, path: string, timeoutMs: number): Promise<unknown | null> {
  return requestJson(base, path, timeoutMs);
}

export async function postJson(base: string, path: string, body: unknown, timeoutMs: number): Promise<unknown | null> {
  return requestJson(base, path, timeoutMs, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function requestJson(base: string, path: string, timeoutMs: number, init: RequestInit = {}): Promise<unknown | null> {
  let url: URL;
  try {
    url = new URL(base.replace(/\/+$/, '') + path);
  } catch {
    return null;
  }
  try {
    const res = await fetch(url, { ...init, headers: { accept: 'application/json', ...(init.headers ?? {}) }, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    if (!res.ok) {
      await res.body?.cancel();
      return null;
    }
    if (Number(res.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) {
      await res.body?.cancel();
      return null;
    }
    const text = await res.text();
    if (text.length > MAX_BODY_BYTES) return null;
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
