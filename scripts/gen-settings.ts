// Writes package.json's contributes.configuration from extension/settingsSchema.ts (whose strategy
// ids come from shared/strategies.ts) (`npm run gen:settings`); test/extension/settings.test.ts
// fails when they drift apart.
// Only that one key is rewritten; the rest of package.json keeps its order and formatting.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configurationContribution } from '../extension/settingsSchema';

const file = path.join(__dirname, '..', 'package.json');
const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
pkg.contributes = { ...(pkg.contributes ?? {}), configuration: configurationContribution() };
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
process.stdout.write(`gen-settings: wrote ${Object.keys(pkg.contributes.configuration.properties).length} settings to package.json\n`);
