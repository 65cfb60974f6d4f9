// Bundles only the VS Code extension, with the options of esbuild.config.mjs's extension entry.
// Used by `npm run build:extension`, the bundle test and the extension-host runner.
//   node scripts/build-extension.mjs [--outfile <file>]
import * as esbuild from 'esbuild';
import { extensionBuild } from '../esbuild.config.mjs';

const i = process.argv.indexOf('--outfile');
await esbuild.build({ ...extensionBuild, ...(i > 0 ? { outfile: process.argv[i + 1] } : {}) });
