// The committed models/ bundle is what `routerllm train` writes from the committed observations:
// retrain into a temp folder and compare bytes (the fits are seeded and the files carry no
// timestamps). A change in a trainer, a feature or a fitted policy fails here until retrained.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadBundle } from '../../server/routing/bundle';
import { readObservations } from '../../server/fit/observations';
import { writeTrainedBundle } from '../../server/fit/train-bundle';
import { tmpDir } from '../routing/helpers';

const MODELS_DIR = path.resolve(__dirname, '../../models');

describe('routing model reproducibility', function () {
  this.timeout(300_000);

  it('retraining the committed observations with the committed seed rewrites identical bundle files', async () => {
    const meta = loadBundle(MODELS_DIR).meta;
    const out = tmpDir();
    try {
      const r = await writeTrainedBundle(readObservations(path.join(MODELS_DIR, 'observations.json')), { out, outLabel: 'models/', seed: meta.seed, folds: 0, command: 'test' });
      for (const f of r.files.filter((f) => f !== 'MODEL_CARD.md')) {
        const a = fs.readFileSync(path.join(out, f));
        const b = fs.readFileSync(path.join(MODELS_DIR, f));
        assert.ok(a.equals(b), `${f} differs from the committed file (trainer, feature or policy change?): run \`routerllm train\``);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('the bundle names what it was trained on, labelled by our own judge', () => {
    const { meta } = loadBundle(MODELS_DIR);
    assert.equal(meta.tasks.length, 164);
    assert.equal(meta.dataset, 'humaneval');
    assert.equal(meta.fleet.models.length, 10);
    assert.match(meta.trainedOn, /hidden-test judge/);
    assert.ok(meta.cascade.ladder.length >= 1);
  });
});
