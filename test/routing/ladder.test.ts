import { strict as assert } from 'node:assert';
import { CATALOGUE } from '../../server/config/catalogue';
import { efficientLadder } from '../../server/routing/ladder';

describe('routing: the cascade ladder', () => {
  it('keeps a model only when it solves more than every cheaper one', () => {
    const rates = new Map([['deepseek-coder-1.3b', 0.5], ['deepseek-coder-6.7b', 0.4], ['codellama-13b', 0.7], ['llama-3.1-70b', 0.65], ['llama-3.1-405b', 0.9]]);
    assert.deepEqual(efficientLadder(CATALOGUE, rates), ['deepseek-coder-1.3b', 'codellama-13b', 'llama-3.1-405b']);
  });

  it('uses every model, cheapest first, when no rates are known', () => {
    assert.equal(efficientLadder(CATALOGUE.slice(0, 3), new Map())[0], 'deepseek-coder-1.3b');
  });
});
