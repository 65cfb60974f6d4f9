// The online pass model: labels move P(pass) the right way, edits count by how much was kept,
// and the state persists and reloads (and is ignored when trained over another feature list).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OnlinePassModel } from '../../server/routing/online-pass';
import { FEATURE_NAMES } from '../../server/routing/features';
import { qualityOf } from '../../server/routing/rewards';

const x = new Float32Array(FEATURE_NAMES.length).fill(0.5);
const label = (passed: boolean | null, feedback: 'accepted' | 'rejected' | 'edited' | null = null, editRatio: number | null = null) => ({ model: 'm', features: x, passed, feedback, editRatio });

describe('routing: online pass model', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-online-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('an edit is worth the share the user kept', () => {
    assert.equal(qualityOf(null, 'edited', 0.1), 0.9);
    assert.equal(qualityOf(null, 'edited', null), 0.5);
    assert.equal(qualityOf(true, 'rejected', null), 1, 'a test verdict comes first');
    assert.equal(qualityOf(null, null), null);
  });

  it('failures lower P(pass) below the prior, passes raise it, unlabelled outcomes teach nothing', () => {
    const m = new OnlinePassModel(null);
    assert.equal(m.refine('m', x, 0.6), 0.6);
    assert.equal(m.learn(label(null), 0.6), false);
    for (let i = 0; i < 10; i++) m.learn(label(false), 0.6);
    const low = m.refine('m', x, 0.6);
    assert.ok(low < 0.4, `P(pass) ${low} after 10 failures`);
    for (let i = 0; i < 30; i++) m.learn(label(true), 0.6);
    assert.ok(m.refine('m', x, 0.6) > low);
    assert.deepEqual(m.counts('m'), { n: 40, passed: 30, verified: 40 });
    assert.equal(m.refine('other', x, 0.3), 0.3, 'another model keeps its prior');
  });

  it('a light edit teaches less than a rejection', () => {
    const edited = new OnlinePassModel(null);
    const rejected = new OnlinePassModel(null);
    for (let i = 0; i < 5; i++) {
      edited.learn(label(null, 'edited', 0.1), 0.6);
      rejected.learn(label(null, 'rejected'), 0.6);
    }
    assert.ok(edited.refine('m', x, 0.6) > rejected.refine('m', x, 0.6));
    assert.equal(edited.counts('m').verified, 0);
  });

  it('persists and reloads; ignores state over another feature list', () => {
    const file = path.join(dir, 'online-pass.json');
    const a = new OnlinePassModel(file);
    for (let i = 0; i < 5; i++) a.learn(label(false), 0.6);
    a.persist();
    const b = new OnlinePassModel(file);
    assert.equal(b.refine('m', x, 0.6), a.refine('m', x, 0.6));
    assert.equal(b.total(), 5);
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...saved, featureNames: ['other'] }));
    assert.equal(new OnlinePassModel(file).total(), 0);
  });
});
