// The committed ONNX files run in onnxruntime-node and give the same numbers as the pure-TS path.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel, sha256 } from '../../server/routing/model-files';
import { evaluate } from '../../server/routing/linear-model';
import { loadOnnxRouter } from '../../server/routing/onnx-session';
import { Predictor } from '../../server/routing/predictor';
import { loadTrainingSet } from '../../server/fit/training-data';
import { FEATURE_NAMES } from '../../server/routing/features';

const MODELS_DIR = path.resolve(__dirname, '../../models');

describe('routing ONNX models', function () {
  this.timeout(60_000);

  for (const kind of ['classifier', 'moe'] as const) {
    it(`${kind}: metadata matches the features and the .onnx file`, () => {
      const loaded = loadModel(MODELS_DIR, kind);
      assert.ok(loaded, `models/router-${kind}.json missing or trained on other features`);
      assert.deepEqual(loaded.meta.featureNames, [...FEATURE_NAMES]);
      assert.equal(loaded.meta.onnxSha256, sha256(fs.readFileSync(path.join(MODELS_DIR, loaded.meta.onnxFile))));
      assert.ok(loaded.onnxPath);
      assert.ok(loaded.meta.threshold > 0 && loaded.meta.threshold < 1);
    });

    it(`${kind}: onnxruntime and pure TS agree to 1e-6 on all HumanEval tasks`, async () => {
      const loaded = loadModel(MODELS_DIR, kind)!;
      const ort = await loadOnnxRouter(loaded.onnxPath!);
      const ts = await loadTrainingSet();
      for (const x of ts.features) {
        const a = await ort.run(x);
        const b = evaluate(loaded.model, x);
        assert.equal(a.probs.length, loaded.model.modelIds.length);
        for (let m = 0; m < b.length; m++) assert.ok(Math.abs(a.probs[m] - b[m]) < 1e-6, `${kind} column ${m}: ${a.probs[m]} vs ${b[m]}`);
        if (kind === 'moe') {
          const p = new Predictor(loaded.model, null, 'ts').predictTs(x);
          assert.deepEqual(a.top2Indices, p.top2!.indices);
          assert.ok(Math.abs(a.top2Gates![0] - p.top2!.gates[0]) < 1e-6);
          assert.ok(Math.abs(a.top2Gates![0] + a.top2Gates![1] - 1) < 1e-6);
        }
      }
    });
  }

  it('the Predictor switches to onnx once loaded and answers on ts before', async () => {
    const loaded = loadModel(MODELS_DIR, 'classifier')!;
    const p = new Predictor(loaded.model, loaded.onnxPath, 'onnx');
    const x = (await loadTrainingSet()).features[0];
    await p.ready;
    assert.equal(p.path, 'onnx');
    const a = await p.predict(x);
    assert.equal(a.path, 'onnx');
    assert.equal(new Predictor(loaded.model, loaded.onnxPath, 'ts').path, 'ts');
  });
});
