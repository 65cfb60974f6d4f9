// Entry point VS Code's test runner calls inside the extension host: runs the bundled suite.
import * as path from 'node:path';

export function run(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require('mocha') as typeof import('mocha');
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false });
  mocha.addFile(path.join(__dirname, 'tests.js'));
  return new Promise((resolve, reject) => mocha.run((failures) => (failures ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve())));
}
