// Bare HTTP over node:http/https. No fetch: we need the socket destroyed the moment the caller
// aborts (the server must stop generating for a request nobody will read), and the body as a
// stream of decoded text chunks for SSE.
import * as http from 'node:http';
import * as https from 'node:https';
import { StringDecoder } from 'node:string_decoder';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body, decoded as UTF-8 chunk by chunk; ends with an error if the connection drops. */
  text(): AsyncIterable<string>;
  /** Stops reading and closes the connection. */
  destroy(): void;
  /** Done reading before the end of the body: a response that has arrived whole is drained, so
   * its connection serves the next request; one still arriving is cut off by closing the
   * connection, which is what tells the server to stop generating. */
  finish(): void;
}

/** Sends the request and resolves when the status line and headers arrive. Rejects with the
 * signal's reason when it aborts, with the socket error otherwise. */
export function send(req: HttpRequest, staleRetried = false): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    let responded = false;
    if (req.signal.aborted) return reject(req.signal.reason);
    const mod = req.url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const cr = mod.request(req.url, { method: req.method, headers });
    const onAbort = () => {
      // Destroying the request closes the socket, before or after the response started.
      cr.destroy();
      reject(req.signal.reason);
    };
    req.signal.addEventListener('abort', onAbort, { once: true });
    cr.on('error', (e) => {
      req.signal.removeEventListener('abort', onAbort);
      // Node's documented keep-alive race (see `request.reusedSocket`): the server closed an idle
      // socket just as this request reused it, so the request never reached the server. Send it
      // once more on a fresh socket instead of counting the server as down (under load that
      // opened the circuit breaker of a healthy server).
      const code = (e as NodeJS.ErrnoException).code;
      if (!responded && !staleRetried && cr.reusedSocket && !req.signal.aborted && (code === 'ECONNRESET' || code === 'EPIPE')) {
        send(req, true).then(resolve, reject);
        return;
      }
      reject(req.signal.aborted ? req.signal.reason : e);
    });
    cr.once('response', (res) => {
      responded = true;
      const destroy = () => {
        req.signal.removeEventListener('abort', onAbort);
        res.destroy();
        cr.destroy();
      };
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        // The abort listener stays until the body is consumed: a cancel mid-stream must close
        // the socket too.
        text: () => decode(res, req.signal, () => req.signal.removeEventListener('abort', onAbort)),
        destroy,
        finish: () => {
          if (!res.complete) return destroy();
          req.signal.removeEventListener('abort', onAbort);
          res.resume();
        },
      });
    });
    cr.end(req.body);
  });
}

async function* decode(res: http.IncomingMessage, signal: AbortSignal, done: () => void): AsyncIterable<string> {
  const decoder = new StringDecoder('utf8');
  try {
    // Leaving the loop early does not destroy the response: the reader decides (finish/destroy).
    for await (const chunk of res.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      const s = decoder.write(chunk);
      if (s) yield s;
    }
  } catch (e) {
    throw signal.aborted ? signal.reason : e;
  } finally {
    done();
  }
  if (signal.aborted) throw signal.reason;
  // A response cut short by the server (content-length not reached / chunked terminator missing)
  // ends without an error event on some Node versions: report it as a dropped connection.
  if (!res.complete) throw Object.assign(new Error('connection closed before the response was complete'), { code: 'ECONNRESET' });
  const rest = decoder.end();
  if (rest) yield rest;
}

/** Reads a whole body, refusing to hold more than `limit` characters. */
export async function readAll(res: HttpResponse, limit: number): Promise<string> {
  let out = '';
  for await (const s of res.text()) {
    out += s;
    if (out.length > limit) {
      res.destroy();
      throw new Error(`response larger than ${limit} characters`);
    }
  }
  return out;
}
