// An answer no longer waits for its decision's write (feedback.ts remember): a verdict sent to the
// same daemon before that write lands waits for it instead of finding no decision.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FeedbackPipeline } from '../../server/daemon/feedback';
import type { LiveLearning } from '../../server/daemon/learning';
import type { AcceptanceModel } from '../../server/routing/inline/acceptance';
import type { RequestContext, Strategy } from '../../server/routing/types';
import { SqliteStore, type Store } from '../../server/store';

describe('feedback: a verdict that arrives before its decision is written', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rllm-decision-write-'));
    store = new SqliteStore(path.join(dir, 'store.sqlite'));
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('waits for this daemon\'s own write of it, however slow, and is recorded', async () => {
    // The write lands after 800 ms: longer than a verdict waits for another daemon's write.
    const slow: Store = Object.assign(Object.create(store) as Store, {
      putDecision: (...args: Parameters<Store['putDecision']>) => new Promise<void>((resolve, reject) => setTimeout(() => store.putDecision(...args).then(resolve, reject), 800)),
    });
    const pipeline = new FeedbackPipeline({
      store: slow,
      strategy: () => undefined,
      acceptance: {} as AcceptanceModel,
      learning: { teach: async () => undefined } as unknown as LiveLearning,
      setFeedback: () => true,
      maxPerUserPerHour: 100,
      log: () => {},
    });
    const t0 = Date.now();
    pipeline.remember('q1', {
      user: 'u1',
      strategy: { id: 'none-here' } as Strategy,
      request: { kind: 'implement' } as RequestContext,
      features: new Float32Array([0, 1]),
      model: 'm',
      footprint: { energyJ: 1, co2g: 0.001, costUsd: 0.0001, latencyMs: 10 },
    });
    assert.ok(Date.now() - t0 < 100, 'remember returns at once');
    const r = await pipeline.submit({ user: 'u1', noteFeedback: () => undefined }, { requestId: 'q1', kind: 'rejected' });
    assert.equal(r.recorded, true, r.reason);
  });
});
