// Three separate bundles: the thin extension (no daemon code, no native modules),
// the daemon, and the CLI (which embeds the daemon, the recorded fleet and the evaluation).
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // Native and large packages stay outside the bundles and load from node_modules.
  external: ['onnxruntime-node', 'better-sqlite3', 'playwright-core'],
};

const builds = [
  { ...common, entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...common, entryPoints: ['server/main.ts'], outfile: 'dist/server.js' },
  { ...common, entryPoints: ['server/cli/main.ts'], outfile: 'dist/cli.js' },
  { ...common, entryPoints: ['server/bench/main.ts'], outfile: 'dist/bench.js' },
];

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
