// The strategy ids the extension offers (shared/strategies.ts, from which package.json's
// `routerllm.strategy` enum is generated) against the daemon's real registry, in the manner of
// rust-analyzer's settings drift check: a strategy added to or removed from either side fails here.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveConfig } from '../../server/config/load';
import { createStrategies } from '../../server/routing/registry';
import { STRATEGY_DESCRIPTIONS, STRATEGY_IDS } from '../../shared/strategies';

/** The registry's per-model baselines (`always-<model>`) and held-out variants (`<id>@fold<i>`)
 * depend on the configuration: they are not part of the shared list. */
const derived = (id: string) => id.startsWith('always-') || id.includes('@fold');

describe('daemon: strategy ids', () => {
  let stateDir: string;
  before(() => (stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-strategies-'))));
  after(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  it('the shared list is exactly the registry, in both directions', () => {
    const registry = createStrategies({ models: resolveConfig({}, null).models, stateDir });
    const daemon = [...registry.keys()].filter((id) => !derived(id)).sort();
    const shared = [...STRATEGY_IDS].sort();
    const missing = daemon.filter((id) => !shared.includes(id as never));
    const extra = shared.filter((id) => !daemon.includes(id));
    assert.deepEqual(missing, [], `the daemon registers strategies shared/strategies.ts does not list: ${missing.join(', ')}`);
    assert.deepEqual(extra, [], `shared/strategies.ts lists strategies the daemon does not register: ${extra.join(', ')}`);
  });

  it('describes every shared strategy in one line', () => {
    for (const id of STRATEGY_IDS) assert.match(STRATEGY_DESCRIPTIONS[id], /^[^\n]{10,200}$/, id);
  });
});
