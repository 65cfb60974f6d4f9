// Extension-host tests (@vscode/test-electron + mocha) for machines that have a VS Code binary:
//   VSCODE_EXECUTABLE_PATH=/path/to/code npm run test:extension-host
// Skipped, with this message, when VSCODE_EXECUTABLE_PATH is unset: @vscode/test-electron cannot
// download VS Code here (see /work/shared/notes/editor-e2e.md; the e2e test uses code-server).
// Not part of the default mocha spec. The suite (suite/*.ehtest.ts) is bundled with esbuild into
// out/extension-host/ because the extension host runs plain JavaScript; mocha loads from node_modules.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

async function main(): Promise<number> {
  const exe = process.env.VSCODE_EXECUTABLE_PATH;
  if (!exe) {
    process.stdout.write('extension-host tests skipped: VSCODE_EXECUTABLE_PATH is unset (point it at a local VS Code binary; nothing is downloaded)\n');
    return 0;
  }
  const { runTests } = await import('@vscode/test-electron');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-extension.mjs')], { cwd: ROOT, stdio: 'inherit' });
  const outDir = path.join(ROOT, 'out', 'extension-host');
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: { index: path.join(__dirname, 'suite', 'index.ts'), tests: path.join(__dirname, 'suite', 'all.ts') },
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });

  // The recorded fleet for the daemon to route to.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-eh-'));
  const fleet = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'fleet', '--port', '0', '--no-sleep'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const fleetUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    fleet.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    fleet.once('exit', (code) => reject(new Error(`the fleet exited ${code}`)));
  });
  try {
    const config = path.join(tmp, 'routerllm.json');
    fs.writeFileSync(config, JSON.stringify({ fleetUrl, stateDir: path.join(tmp, 'state') }));
    const workspace = path.join(tmp, 'workspace');
    const userData = path.join(tmp, 'user');
    fs.mkdirSync(workspace, { recursive: true });
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    fs.writeFileSync(
      path.join(userData, 'User', 'settings.json'),
      JSON.stringify({
        'routerllm.daemon.nodePath': process.execPath,
        'routerllm.daemon.serverPath': path.join(ROOT, 'dist', 'server.js'),
        'routerllm.daemon.configFile': config,
        'routerllm.inline.debounceMs': 0,
      }),
    );
    await runTests({
      vscodeExecutablePath: exe,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(outDir, 'index'),
      launchArgs: [workspace, '--disable-extensions', '--user-data-dir', userData, '--skip-welcome', '--disable-workspace-trust'],
      extensionTestsEnv: { ROUTERLLM_EH_WORKSPACE: workspace, ROUTERLLM_ROOT: ROOT },
    });
    return 0;
  } finally {
    fleet.kill('SIGTERM');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`extension-host tests failed: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
