// A restarted daemon applies the learned-state events other daemons appended while it was down
// (feedback.ts events-applied.json): before, it started from the store's newest event and never
// learnt those verdicts.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FeedbackPipeline, type FeedbackDeps, type FeedbackEvent } from '../../server/daemon/feedback';
import type { LiveLearning } from '../../server/daemon/learning';
import type { AcceptanceModel } from '../../server/routing/inline/acceptance';
import { SqliteStore, type Store } from '../../server/store';

const event = (n: number): FeedbackEvent => ({
  requestId: `q${n}`,
  userId: 'u1',
  kind: 'rejected',
  editRatio: null,
  decision: {
    v: 1, kind: 'implement', strategy: 'none-here', model: 'm', features: [0, 1],
    request: { kind: 'implement' } as FeedbackEvent['decision']['request'],
    footprint: { energyJ: 1, co2g: 0.001, costUsd: 0.0001, latencyMs: 10 },
  },
});

describe('feedback: a restarted daemon catches up on the events it missed', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rllm-catchup-'));
    store = new SqliteStore(path.join(dir, 'store.sqlite'));
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const pipeline = (taught: string[], extra: Partial<FeedbackDeps> = {}) =>
    new FeedbackPipeline({
      store,
      strategy: () => undefined,
      acceptance: {} as AcceptanceModel,
      learning: { teach: async (_s: unknown, o: { request: unknown; model: string }) => void taught.push(o.model) } as unknown as LiveLearning,
      setFeedback: () => true,
      maxPerUserPerHour: 100,
      log: () => {},
      appliedFile: path.join(dir, 'state-a', 'events-applied.json'),
      storeId: 'sqlite',
      ...extra,
    });

  it('applies what was appended while it was down, once, and nothing it had applied before', async () => {
    await store.appendEvent('feedback', event(1)); // before this daemon ever started: not its to learn
    const first: string[] = [];
    const a = pipeline(first);
    await a.start();
    await store.appendEvent('feedback', event(2));
    await a.sync();
    assert.equal(first.length, 1, 'the event appended while it ran');
    await a.close();

    // Down: two verdicts given at other daemons.
    await store.appendEvent('feedback', event(3));
    await store.appendEvent('feedback', event(4));

    const second: string[] = [];
    const again = pipeline(second);
    await again.start();
    await again.sync();
    assert.equal(second.length, 2, 'the two verdicts appended while it was down, and not event 2 again');
    await again.close();
  });

  it("ignores a mark of another store and one beyond this store's newest event", async () => {
    fs.mkdirSync(path.join(dir, 'state-a'), { recursive: true });
    for (const n of [1, 2, 3]) await store.appendEvent('feedback', event(n));
    fs.writeFileSync(path.join(dir, 'state-a', 'events-applied.json'), JSON.stringify({ store: 'postgres://elsewhere/db', seq: 0 }));
    const other: string[] = [];
    const p1 = pipeline(other);
    await p1.start();
    await p1.sync();
    assert.equal(other.length, 0, "another store's seq says nothing about this one");
    await p1.close();

    fs.writeFileSync(path.join(dir, 'state-a', 'events-applied.json'), JSON.stringify({ store: 'sqlite', seq: 99 }));
    const ahead: string[] = [];
    const p2 = pipeline(ahead);
    await p2.start();
    await store.appendEvent('feedback', event(4));
    await p2.sync();
    assert.equal(ahead.length, 1, 'a recreated store: from its newest event, and the next one is applied');
    await p2.close();
  });
});
