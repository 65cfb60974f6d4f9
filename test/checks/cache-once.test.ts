// CheckCache.once: a run in flight is shared by every caller of the same key (a shared daemon's
// users asking for the same answer at once start one sandbox), and a run cut short is never
// handed to a caller that did not cut it.
import { strict as assert } from 'node:assert';
import { CheckCache } from '../../server/checks/cache';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('checks: CheckCache.once', () => {
  it('callers of one key while its run is in flight share that run', async () => {
    const cache = new CheckCache<string>();
    const gate = deferred<{ value: string; keep: boolean }>();
    let runs = 0;
    const run = () => (runs++, gate.promise);
    const calls = [cache.once('k', run), cache.once('k', run), cache.once('k', run)];
    gate.resolve({ value: 'report', keep: true });
    const results = await Promise.all(calls);
    assert.equal(runs, 1);
    assert.deepEqual(results.map((r) => r.value), ['report', 'report', 'report']);
    assert.deepEqual(results.map((r) => r.ran), [true, false, false]);
    assert.deepEqual(await cache.once('k', run), { value: 'report', ran: false }, 'and later callers find it cached');
    assert.equal(runs, 1);
  });

  it('other keys run on their own', async () => {
    const cache = new CheckCache<string>();
    let runs = 0;
    await Promise.all(['a', 'b'].map((k) => cache.once(k, async () => (runs++, { value: k, keep: true }))));
    assert.equal(runs, 2);
  });

  it('a waiting caller runs its own when the shared run is not kept (cancelled, timed out)', async () => {
    const cache = new CheckCache<string>();
    const gate = deferred<{ value: string; keep: boolean }>();
    const first = cache.once('k', () => gate.promise);
    const second = cache.once('k', async () => ({ value: 'own run', keep: true }));
    gate.resolve({ value: 'aborted', keep: false });
    assert.deepEqual(await first, { value: 'aborted', ran: true }, 'the caller that cut it short sees its own result');
    assert.deepEqual(await second, { value: 'own run', ran: true });
    assert.equal((await cache.once('k', async () => ({ value: 'x', keep: true }))).value, 'own run');
  });

  it('a shared run that throws fails its own caller only; a waiting caller runs again', async () => {
    const cache = new CheckCache<string>();
    const gate = deferred<{ value: string; keep: boolean }>();
    const first = cache.once('k', () => gate.promise);
    const second = cache.once('k', async () => ({ value: 'retried', keep: true }));
    gate.reject(new Error('sandbox set-up failed'));
    await assert.rejects(first, /set-up failed/);
    assert.equal((await second).value, 'retried');
  });
});
