// What the daemon's failures mean to a person: each failure text the extension receives becomes
// ONE problem in plain words, with the full server address and the button that fixes it. Internal
// causes ("breaker-open: circuit breaker for … is open", "not-found 404 … no recording of …") are
// translated; advice to run the `routerllm` CLI is never shown (a .vsix user does not have it).
// Pure: no `vscode` import, so plain mocha tests every rule.
import type { Problem } from './daemonDiagnosis';

/** What kind of failure a daemon message reports. */
export type FailureKind = 'no-server' | 'demo-miss' | 'breaker' | 'other';

/** The recorded (demo) fleet's 404 for a prompt it has no recording of. The fleet's stable error
 * code (server/fleet/server.ts: 'recording_not_found') and, for daemons that pass only the text,
 * its message. */
const DEMO_MISS = /recording_not_found|recorded fleet only knows the benchmark tasks|not a benchmark task/i;
const BREAKER = /circuit breaker for (\S+?) is open after repeated failures(?:; next probe in (\d+) s)?/i;
const NO_SERVER = /No model server reachable at (.*?)(?:: start one\b|$)/is;
/** A server base address as the daemon writes it (shared/failureSummary.ts unreachableUrl). */
const URL_RE = /https?:\/\/[^/\s,:`'"]+(?::\d+)?/g;

/** The kind of failure `message` (a daemon error's full text) reports; `serverCodes` are the model
 * servers' own error codes the daemon passed as the error's data (ModelCallFailedData), read first. */
export function failureKind(message: string, serverCodes: readonly string[] = []): FailureKind {
  if (serverCodes.some((c) => DEMO_MISS.test(c)) || DEMO_MISS.test(message)) return 'demo-miss';
  if (NO_SERVER.test(message)) return 'no-server';
  if (BREAKER.test(message)) return 'breaker';
  return 'other';
}

/** Every server address a "No model server reachable at …" message names, in full. */
export function unreachableUrls(message: string): string[] {
  const m = NO_SERVER.exec(message);
  if (!m) return [];
  const urls = m[1]!.match(URL_RE) ?? [];
  return [...new Set(urls.length ? urls : ['the configured address'])];
}

/** Drops advice to run the `routerllm` CLI: it is not on a .vsix user's PATH. */
export function withoutCliAdvice(text: string): string {
  return text
    .replace(/[:;,]?\s*(?:start one or )?(?:run|try|use) `?routerllm [^`;)]*`?/gi, '')
    .replace(/\s*\((?:is a fleet already running\?)\)/gi, '')
    .trim();
}

/** One sentence naming the servers: "http://a:1, http://b:2 and 3 more". */
function listUrls(urls: string[]): string {
  const shown = urls.slice(0, 3).join(', ');
  return urls.length > 3 ? `${shown} and ${urls.length - 3} more` : shown;
}

export function noServerProblem(urls: string[]): Problem {
  const at = [...new Set(urls)];
  return {
    // Per address: pointing the daemon elsewhere is a new problem, shown again.
    id: `no-server:${[...at].sort().join(',')}`,
    message: `RouterLLM: no model server answers at ${listUrls(at)}. Start the demo fleet to try RouterLLM on recorded answers, or choose a configuration file listing your model servers.`,
    actions: [{ kind: 'startFleet' }, { kind: 'chooseConfig' }],
  };
}

export function demoMissProblem(): Problem {
  return {
    id: 'demo-miss',
    message: 'RouterLLM: the demo fleet only has answers for its benchmark functions (HumanEval), and this function is not one of them. Try it in the Demo Workspace, or choose a configuration file with your own model servers.',
    actions: [{ kind: 'openDemoWorkspace' }, { kind: 'chooseConfig' }],
  };
}

export function breakerProblem(url: string, retryInS: number | undefined): Problem {
  const wait = retryInS !== undefined ? `tries it again in ${retryInS} s` : 'tries it again shortly';
  return {
    id: `breaker:${url}`,
    message: `RouterLLM: the model server at ${url} failed several requests in a row, so RouterLLM pauses it and ${wait}. Check that the server runs, or choose a configuration file with other servers.`,
    actions: [{ kind: 'chooseConfig' }, { kind: 'showLog' }],
  };
}

/** A request's failure (its full error text) as the one problem to show. */
export function requestProblem(what: string, message: string, short: string, serverCodes: readonly string[] = []): { kind: FailureKind; problem: Problem } {
  const kind = failureKind(message, serverCodes);
  switch (kind) {
    case 'demo-miss':
      return { kind, problem: demoMissProblem() };
    case 'no-server': {
      const p = noServerProblem(unreachableUrls(message));
      return { kind, problem: { ...p, id: `${p.id}:${what}` } };
    }
    case 'breaker': {
      const m = BREAKER.exec(message)!;
      return { kind, problem: breakerProblem(m[1]!, m[2] !== undefined ? Number(m[2]) : undefined) };
    }
    default: {
      const text = withoutCliAdvice(plainReason(short));
      return { kind, problem: { id: `fail:${what}:${text}`, message: `RouterLLM: ${what} failed: ${text}`, actions: [{ kind: 'showLog' }] } };
    }
  }
}

/** A server's health reason (the status item's tooltip) in plain words. */
export function plainReason(reason: string): string {
  const breaker = BREAKER.exec(reason);
  if (breaker) return `failed several requests in a row; paused${breaker[2] ? `, tried again in ${breaker[2]} s` : ''}`;
  if (DEMO_MISS.test(reason)) return 'the demo fleet has no answer for this code (it knows only its benchmark functions)';
  return withoutCliAdvice(reason.replace(/^(?:breaker-open|not-found \d*|down|timeout|http \d*|malformed|stream-cut|unavailable):\s*/i, ''));
}

/** A first connection to a shared daemon (connect mode): handshakes of at most 2 s, retried for
 * 2.5 s while nothing answers, so a wrong URL is reported within 5 s (a reconnect after a dropped
 * connection waits longer, client.ts). */
export const FIRST_CONNECT = { timeoutMs: 2_000, retryForMs: 2_500 } as const;

/** A shared daemon (connect mode) that cannot be reached, or refuses this editor. */
export function connectProblem(url: string, reason: string): Problem {
  if (/answered HTTP 40[13]/.test(reason)) {
    return {
      id: `connect-token:${url}`,
      message: `RouterLLM: the shared daemon at ${url} refused this editor's token. Set the token your team gave you.`,
      actions: [{ kind: 'setToken' }, { kind: 'openSetting', key: 'routerllm.daemon.url' }],
    };
  }
  const why = /invalid daemon URL/.test(reason) ? 'is not a valid WebSocket address' : /answered HTTP (\d+)/.test(reason) ? `answered HTTP ${/answered HTTP (\d+)/.exec(reason)![1]} (not a RouterLLM daemon?)` : 'does not answer';
  return {
    id: `connect:${url}`,
    message: `RouterLLM: the shared daemon at ${url} ${why}. Check the address in the setting "Daemon: Url", or set "Daemon: Mode" to spawn for a private daemon.`,
    actions: [{ kind: 'openSetting', key: 'routerllm.daemon.url' }, { kind: 'showLog' }],
  };
}
