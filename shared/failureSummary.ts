// One short reason for a request that no model could serve, instead of a list naming every model
// (11 models × the same "cannot reach ..." made a 1,400-character toast). Used by the daemon for
// its error messages and by the extension for anything long it must show. Pure.

const UNCONFIGURED = /^no server configured$/;

export interface ModelFailure {
  model: string;
  reason: string;
}

/** The server base URL a reason says cannot be reached, if it says so. */
export function unreachableUrl(reason: string): string | undefined {
  const m = /(?:cannot reach|connect (?:ECONNREFUSED|EHOSTUNREACH|ETIMEDOUT)|ECONNREFUSED|ENOTFOUND)\D*?(https?:\/\/[^/\s:]+(?::\d+)?)/i.exec(reason);
  if (m) return m[1];
  if (/\b(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|cannot reach)\b/i.test(reason)) {
    const url = /(https?:\/\/[^/\s]+)/.exec(reason);
    return url ? url[1] : 'the configured address';
  }
  return undefined;
}

/** "No model server reachable at http://127.0.0.1:8177: start one or run `routerllm fleet`". */
export function noServerMessage(urls: string[]): string {
  const at = [...new Set(urls)];
  return `No model server reachable at ${at.slice(0, 3).join(', ')}${at.length > 3 ? ` and ${at.length - 3} more` : ''}: start one or run \`routerllm fleet\``;
}

/** One line: the unreachable servers when that is why, else the commonest reason with how many
 * models it stopped. */
export function summarizeFailures(failures: ModelFailure[]): string {
  if (!failures.length) return 'no model is configured';
  // A catalogue model without a server (the daemon's "no server configured") was never expected
  // to answer: when every model that has one is unreachable, that is the whole story.
  const withServer = failures.filter((f) => !UNCONFIGURED.test(f.reason));
  const urls = withServer.map((f) => unreachableUrl(f.reason));
  if (urls.length && urls.every((u) => u !== undefined)) return noServerMessage(urls as string[]);
  const groups = new Map<string, string[]>();
  for (const f of failures) {
    // The same reason for two models differs only by the model's name in it.
    const key = f.reason.split(f.model).join('<model>').trim();
    groups.set(key, [...(groups.get(key) ?? []), f.model]);
  }
  const sorted = [...groups].sort((a, b) => b[1].length - a[1].length);
  const [reason, models] = sorted[0]!;
  const who = models.length === 1 ? models[0]! : models.length === failures.length ? `all ${models.length} models` : `${models.length} of ${failures.length} models`;
  const rest = sorted.length - 1;
  return `${reason.split('<model>').join(models[0]!)} (${who})${rest ? `; ${rest} other reason${rest > 1 ? 's' : ''} in the log` : ''}`;
}

/** Parses the daemon's legacy lists ("every model failed: a (r1); b (r2)", "no model is available:
 * a (r1); b (r2)") back into failures; undefined for any other message. */
export function parseFailureList(message: string): ModelFailure[] | undefined {
  const m = /^(?:every model failed|no model is available): (.*)$/s.exec(message);
  if (!m) return undefined;
  const out: ModelFailure[] = [];
  for (const part of m[1]!.split(/;\s+(?=[\w.:/-]+ \()/)) {
    const p = /^([\w.:/-]+) \((.*)\)\s*$/s.exec(part.trim());
    if (p) out.push({ model: p[1]!, reason: p[2]! });
  }
  return out.length ? out : undefined;
}

/** A message short enough for a toast: a failure list collapses to one reason; anything else long
 * is cut at a sentence (the full text is in the log). */
export function shortMessage(message: string, max = 240): string {
  const list = parseFailureList(message);
  if (list) return summarizeFailures(list);
  if (message.length <= max) return message;
  return `${message.slice(0, max - 1)}…`;
}
