// Every incoming custom message is validated against its zod schema before a handler sees it; a
// malformed one is answered with InvalidParams naming the field, and the daemon keeps serving.
import { ResponseError, type CancellationToken, type Connection } from 'vscode-languageserver/node';
import type { z } from 'zod';
import { ErrorCodes, type NotificationDef, type RequestDef } from '../../shared/protocol';
import { formatPath } from '../config/load';

/** The first issues of a failed parse, each led by the path of the field, e.g. `budget.level: Invalid option`. */
export function describeIssues(error: z.ZodError, root = '(params)'): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${formatPath(i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))) || root}: ${i.message}`)
    .join('; ');
}

function invalidParams(method: string, error: z.ZodError): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, `${method}: invalid params: ${describeIssues(error)}`);
}

/** Registers `handler` for `def`, with params parsed (defaults applied) by the def's schema.
 * Errors that are not ResponseErrors become InternalError responses with their message: a bug in
 * one request never takes the connection or the daemon down. */
export function onRequest<M extends string, P extends z.ZodType, R extends z.ZodType>(
  connection: Connection,
  def: RequestDef<M, P, R>,
  handler: (params: z.infer<P>, token: CancellationToken) => Promise<z.infer<R>> | z.infer<R>,
  log: (line: string) => void,
): void {
  connection.onRequest(def.method, async (raw: unknown, token: CancellationToken) => {
    const parsed = def.params.safeParse(raw ?? {});
    if (!parsed.success) return invalidParams(def.method, parsed.error);
    try {
      return await handler(parsed.data, token);
    } catch (e) {
      if (e instanceof ResponseError) return e;
      log(`${def.method} failed: ${(e as Error)?.stack ?? String(e)}`);
      return new ResponseError(ErrorCodes.InternalError, `${def.method}: ${(e as Error)?.message ?? String(e)}`);
    }
  });
}

export function sendNotification<M extends string, P extends z.ZodType>(connection: Connection, def: NotificationDef<M, P>, params: z.infer<P>): void {
  // The client may have gone away (a closed connection throws, or rejects): the session's close
  // handler cleans up; a notification is never worth failing a request for.
  try {
    void connection.sendNotification(def.method, params).catch(() => undefined);
  } catch {
    // Closed.
  }
}
