import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createStrategies } from '../../server/routing/registry';
import { deriveModel } from '../../server/config/derive';
import { MODELS, input, tmpDir } from './helpers';

const SHIPPED = path.resolve(__dirname, '../../models');

describe('routing: a router bundle and the configured fleet', () => {
  it('routes the models it knows, says which it does not, and gives those a place by size', async () => {
    const dir = tmpDir();
    try {
      const stranger = deriveModel({ id: 'stranger-coder-15b', paramsB: 15, endpoint: { url: 'http://127.0.0.1:1', model: 'stranger', flavour: 'chat' } });
      const lines: string[] = [];
      const s = createStrategies({ models: [...MODELS, stranger], stateDir: dir, bundleDir: SHIPPED, log: (l) => lines.push(l) });
      assert.ok(lines.some((l) => /trained on 164 humaneval tasks/.test(l) && /routes stranger-coder-15b by a prior from size/.test(l)), lines.join('\n'));
      const c = await s.get('cascade')!.choose(input(undefined, { candidates: [...input().candidates, stranger] }));
      assert.ok(c.model);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a configured bundle that is not there is a clear error', () => {
    const dir = tmpDir();
    try {
      assert.throws(() => createStrategies({ models: MODELS, stateDir: dir, bundleDir: path.join(dir, 'nope') }), /no bundle\.json/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
