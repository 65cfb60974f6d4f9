// The committed models/ files are what `routerllm train` writes: retrain into a temp folder and
// compare bytes (the fits are deterministic and the files carry no timestamps).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeModels } from '../../server/routing/export-models';
import { loadModel } from '../../server/routing/model-files';
import { tmpDir } from './helpers';

const MODELS_DIR = path.resolve(__dirname, '../../models');

describe('routing model reproducibility', function () {
  this.timeout(120_000);

  it('retraining with the committed seed rewrites identical .onnx and .json files', async () => {
    const meta = loadModel(MODELS_DIR, 'classifier')!.meta;
    const out = tmpDir();
    try {
      const r = await writeModels({ outDir: out, seed: meta.seed, folds: meta.folds, threshold: meta.threshold });
      for (const f of r.files) {
        const a = fs.readFileSync(path.join(out, f));
        const b = fs.readFileSync(path.join(MODELS_DIR, f));
        // The training features include the tests server/checks/extract finds in each HumanEval
        // prompt: a change there changes the weights too, and the committed files must follow.
        assert.ok(a.equals(b), `${f} differs from the committed file (feature or extractor change?): run \`routerllm train\``);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
