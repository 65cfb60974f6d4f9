// Bundles only the VS Code extension (extension/extension.ts -> dist/extension.js), minified:
// the shipped bundle must stay small (test/extension/bundle.test.ts checks < 1.5 MB, no daemon,
// no onnxruntime). Same options as esbuild.config.mjs's extension entry otherwise. Used by
// `npm run build:extension`, `npm run package`, the bundle test and the e2e test.
//   node scripts/build-extension.mjs [--outfile <file>]
import * as esbuild from 'esbuild';

const i = process.argv.indexOf('--outfile');
const outfile = i > 0 ? process.argv[i + 1] : 'dist/extension.js';

await esbuild.build({
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  external: ['vscode', 'onnxruntime-node', 'better-sqlite3', 'playwright-core'],
  entryPoints: ['extension/extension.ts'],
  outfile,
});
