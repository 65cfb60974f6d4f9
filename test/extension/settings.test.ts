// package.json's contributes.configuration is generated from extension/settingsSchema.ts
// (`npm run gen:settings`): this test fails when the two have drifted apart.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configurationContribution, DEFAULT_SETTINGS, parseSettings } from '../../extension/settingsSchema';
import { initializationOptions } from '../../extension/initializationOptions';
import { InitializationOptions } from '../../shared/protocol';
import { STRATEGY_IDS } from '../../shared/strategies';

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));

describe('extension: settings', () => {
  it('package.json contributes.configuration matches the schema (run `npm run gen:settings`)', () => {
    assert.deepEqual(pkg.contributes?.configuration, configurationContribution(), 'package.json has drifted from extension/settingsSchema.ts: run `npm run gen:settings`');
  });

  it('contributes every setting the brief names, each with a description and a default', () => {
    const props = configurationContribution().properties;
    for (const key of [
      'daemon.mode',
      'daemon.url',
      'daemon.nodePath',
      'daemon.serverPath',
      'daemon.configFile',
      'strategy',
      'budget.level',
      'budget.co2gPerDay',
      'budget.costUsdPerDay',
      'budget.co2gPerHour',
      'budget.costUsdPerHour',
      'inline.enabled',
      'inline.debounceMs',
      'languages',
      'implement.showDiff',
    ]) {
      const p = props[`routerllm.${key}`];
      assert.ok(p, `routerllm.${key} missing`);
      assert.ok(typeof p.markdownDescription === 'string' && (p.markdownDescription as string).length > 20, `routerllm.${key} needs a description`);
      assert.ok('default' in p, `routerllm.${key} needs a default`);
    }
    assert.deepEqual(props['routerllm.strategy'].enum, [...STRATEGY_IDS]);
    assert.equal(props['routerllm.strategy'].default, 'cascade');
    assert.equal(props['routerllm.inline.debounceMs'].default, 250);
    assert.match(props['routerllm.daemon.nodePath'].markdownDescription as string, /must not run inside/);
    // Executable paths cannot come from a workspace's settings.
    assert.equal(props['routerllm.daemon.nodePath'].scope, 'machine');
    assert.equal(props['routerllm.daemon.serverPath'].scope, 'machine');
  });

  it('falls back to the default for a missing or invalid value', () => {
    const s = parseSettings({ 'inline.debounceMs': -5, strategy: 'moe', 'daemon.mode': 'bogus' });
    assert.equal(s['inline.debounceMs'], 250);
    assert.equal(s.strategy, 'moe');
    assert.equal(s['daemon.mode'], 'spawn');
  });

  it('tells the daemon the strategy and budgets, never paths', () => {
    const o = initializationOptions({ ...DEFAULT_SETTINGS, strategy: 'carbon-aware', 'budget.co2gPerDay': 5 });
    assert.equal(o.strategy, 'carbon-aware');
    assert.deepEqual(o.budget, { level: 'balanced', co2gPerDay: 5 });
    assert.ok(!JSON.stringify(o).includes('nodePath'));
    // What the extension builds is what the daemon's schema parses, unchanged.
    assert.deepEqual(InitializationOptions.parse(o), o);
    assert.deepEqual(InitializationOptions.parse(initializationOptions(DEFAULT_SETTINGS)), initializationOptions(DEFAULT_SETTINGS));
  });

  it('passes hourly budgets from the settings (before, only a config file could set them)', () => {
    const o = initializationOptions({ ...DEFAULT_SETTINGS, 'budget.costUsdPerHour': 0.02, 'budget.co2gPerHour': 1.5 });
    assert.deepEqual(o.budget, { level: 'balanced', co2gPerHour: 1.5, costUsdPerHour: 0.02 });
    assert.deepEqual(InitializationOptions.parse(o), o);
  });

  it('declares lazy activation and the commands', () => {
    assert.deepEqual(
      pkg.activationEvents.filter((e: string) => e.startsWith('onLanguage:')),
      ['onLanguage:python', 'onLanguage:typescript', 'onLanguage:javascript'],
    );
    assert.ok(!pkg.activationEvents.includes('*'), 'no eager activation');
    const titles = pkg.contributes.commands.map((c: { category: string; title: string }) => `${c.category}: ${c.title}`);
    assert.ok(titles.includes('RouterLLM: Implement Function'));
    assert.ok(titles.includes('RouterLLM: Set Shared Daemon Token'));
  });
});
