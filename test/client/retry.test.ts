import { strict as assert } from 'node:assert';
import { backoffDelay, MAX_RETRY_AFTER_MS, parseRetryAfter, sleep } from '../../server/client/retry';

describe('client/retry', () => {
  it('backs off exponentially with jitter between half and the full step', () => {
    assert.equal(backoffDelay(0, 200, () => 0), 100);
    assert.equal(backoffDelay(0, 200, () => 1), 200);
    assert.equal(backoffDelay(2, 200, () => 0.5), 600);
    assert.equal(backoffDelay(3, 100, () => 0), 400);
  });

  it('reads Retry-After as seconds or an HTTP date, capped', () => {
    assert.equal(parseRetryAfter('2'), 2000);
    assert.equal(parseRetryAfter('0.5'), 500);
    assert.equal(parseRetryAfter('3600'), MAX_RETRY_AFTER_MS);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now), 3000);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2025 00:00:03 GMT', now), 0);
    assert.equal(parseRetryAfter(undefined), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
  });

  it('sleep rejects as soon as the signal aborts', async () => {
    const c = new AbortController();
    const t0 = Date.now();
    setTimeout(() => c.abort(new Error('stop')), 10);
    await assert.rejects(sleep(5000, c.signal), /stop/);
    assert.ok(Date.now() - t0 < 1000);
  });
});
