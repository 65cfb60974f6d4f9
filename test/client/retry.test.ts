import { strict as assert } from 'node:assert';
import type { IRetryBackoffContext } from 'cockatiel';
import { ModelCallError } from '../../server/client';
import { MAX_RETRY_AFTER_MS, parseRetryAfter, retryBackoff } from '../../server/client/retry';

const after = (error: Error, attempt = 1): IRetryBackoffContext<unknown> => ({ attempt, result: { error }, signal: new AbortController().signal });

describe('client/retry', () => {
  it('backs off exponentially with jitter between half and the full step', () => {
    const e = new Error('down');
    const first = retryBackoff(200).next(after(e));
    const third = first.next(after(e, 2)).next(after(e, 3));
    assert.ok(first.duration >= 100 && first.duration <= 200, `first ${first.duration}`);
    assert.ok(third.duration >= 400 && third.duration <= 800, `third ${third.duration}`);
  });

  it('waits what Retry-After said instead of the step', () => {
    const told = new ModelCallError({ kind: 'http', model: 'm', detail: 'busy', status: 429, retryAfterMs: 1500 });
    assert.equal(retryBackoff(10).next(after(told)).duration, 1500);
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
});
