// Shared set-up for daemon tests: a recorded fleet on an ephemeral port (faults enabled), a
// config file pointing at it, a fresh state dir, and a HumanEval prompt on disk.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFleet, type Fleet } from '../../server/fleet';
import { loadHumanEval } from '../../server/data/datasets';
import { RECORDED_MODEL_IDS } from '../../server/config/catalogue';
import { spawnDaemon, type DaemonConnection } from '../../server/daemon/connect';
import * as protocol from '../../shared/protocol';

export interface Harness {
  fleet: Fleet;
  dir: string;
  configFile: string;
  stateDir: string;
  writeConfig(extra: Record<string, unknown>): string;
  fault(catalogueId: string, fault: string, extra?: { count?: number; delayMs?: number }): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(opts: { sleep?: boolean; latencyScale?: number } = {}): Promise<Harness> {
  const fleet = await startFleet({ port: 0, sleep: opts.sleep ?? false, latencyScale: opts.latencyScale ?? 1, faults: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-daemon-'));
  const stateDir = path.join(dir, 'state');
  const writeConfig = (extra: Record<string, unknown>) => {
    const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(
      file,
      JSON.stringify({
        fleetUrl: fleet.url,
        stateDir,
        client: { retries: 0, backoffMs: 10, deadlineMs: 10_000, inlineDeadlineMs: 5_000, breakerFailures: 50, breakerResetMs: 1000, maxTokens: 512 },
        ...extra,
      }),
    );
    return file;
  };
  return {
    fleet,
    dir,
    stateDir,
    configFile: writeConfig({}),
    writeConfig,
    fault: async (catalogueId, fault, extra = {}) => {
      const res = await fetch(`${fleet.url}/admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: RECORDED_MODEL_IDS[catalogueId], fault, ...extra }),
      });
      if (!res.ok) throw new Error(`fault injection failed: ${res.status} ${await res.text()}`);
    },
    close: async () => {
      await fleet.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The prompt of a HumanEval task as a user's file would hold it. */
export function humanEvalFile(taskIndex = 0): { text: string; line: number; entryPoint: string } {
  const task = loadHumanEval()[taskIndex]!;
  const lines = task.prompt.split('\n');
  const line = lines.findIndex((l) => l.startsWith(`def ${task.entry_point}(`));
  return { text: task.prompt, line: line + 1, entryPoint: task.entry_point };
}

/** A fleet and a stdio daemon for one describe block, with config overrides derived from the
 * fleet (its URL is only known once it listens). */
/** A recorded-fleet harness for a describe block: started before its tests, closed after. */
export function harnessFixture(): { h: Harness } {
  const f = {} as { h: Harness };
  before(async () => {
    f.h = await startHarness();
  });
  after(async () => {
    await f.h?.close();
  });
  return f;
}

export function daemonFixture(overrides: (h: Harness) => Record<string, unknown>): { h: Harness; daemon: DaemonConnection } {
  const f = {} as { h: Harness; daemon: DaemonConnection };
  before(async () => {
    f.h = await startHarness();
    f.daemon = await spawnDaemon({ args: ['--config', f.h.writeConfig(overrides(f.h))] });
  });
  after(async () => {
    await f.daemon?.close();
    await f.h?.close();
  });
  return f;
}

/** implementFunction on HumanEval/0 with a fixed strategy and no tests run. */
export function implementTask0(daemon: DaemonConnection, strategy: string): Promise<protocol.ImplementFunctionResult> {
  const file = humanEvalFile(0);
  return daemon.request(protocol.implementFunction, {
    textDocument: { uri: 'file:///work/has_close_elements.py', languageId: 'python', text: file.text },
    position: { line: file.line, character: 0 },
    strategy,
    runTests: false,
  });
}
