// Asks the Node that will run the daemon which version and ABI it is, before spawning it, so a
// wrong Node gives one clear message instead of a crashing daemon. Reads the packaged natives'
// manifest and restores executable bits a .vsix unpack may have dropped. No `vscode` import.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NativesManifest, NodeProbe } from './daemonDiagnosis';

export function probeNode(nodePath: string, env: NodeJS.ProcessEnv, timeoutMs = 10_000): Promise<NodeProbe | 'missing'> {
  return new Promise((resolve) => {
    execFile(nodePath, ['-p', 'process.version + " " + process.versions.modules'], { env, timeout: timeoutMs }, (error, stdout) => {
      const m = /^(v\d+\.\d+\.\d+\S*) (\d+)/.exec(String(stdout).trim());
      if (error || !m) return resolve('missing');
      resolve({ version: m[1]!, abi: m[2]! });
    });
  });
}

/** dist/node_modules/routerllm-natives.json next to the daemon script, when it was packaged. */
export function readNativesManifest(serverScript: string): (NativesManifest & { executables?: string[] }) | undefined {
  const file = path.join(path.dirname(serverScript), 'node_modules', 'routerllm-natives.json');
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as NativesManifest & { executables?: string[] };
  } catch {
    return undefined;
  }
}

/** Some unpackers drop the executable bit (a zip has no portable one): put it back. */
export function restoreExecutables(serverScript: string, executables: string[] = []): void {
  for (const rel of executables) {
    const file = path.join(path.dirname(serverScript), 'node_modules', rel);
    try {
      const mode = fs.statSync(file).mode;
      if ((mode & 0o111) === 0) fs.chmodSync(file, mode | 0o755);
    } catch {
      /* absent on this platform or read-only: the sandbox reports it when a TS test needs it */
    }
  }
}
