import { strict as assert } from 'node:assert';
import { BreakerRegistry, CircuitBreaker } from '../../server/client/breaker';

describe('client/breaker', () => {
  let t = 0;
  const now = () => t;
  beforeEach(() => (t = 1000));

  it('stays closed below the failure threshold and resets the count on success', () => {
    const b = new CircuitBreaker({ failures: 3, resetMs: 5000, now });
    b.failure();
    b.failure();
    b.success();
    b.failure();
    b.failure();
    assert.equal(b.state(), 'closed');
    assert.equal(b.tryAcquire(), true);
  });

  it('opens after N consecutive failures and rejects while open', () => {
    const b = new CircuitBreaker({ failures: 3, resetMs: 5000, now });
    for (let i = 0; i < 3; i++) b.failure();
    assert.equal(b.state(), 'open');
    assert.equal(b.tryAcquire(), false);
    t += 4999;
    assert.equal(b.state(), 'open');
    assert.equal(b.retryInMs(), 1);
  });

  it('half-opens after resetMs, lets exactly one probe through, closes on its success', () => {
    const b = new CircuitBreaker({ failures: 2, resetMs: 5000, now });
    b.failure();
    b.failure();
    t += 5000;
    assert.equal(b.state(), 'half-open');
    assert.equal(b.tryAcquire(), true, 'the probe');
    assert.equal(b.tryAcquire(), false, 'a second caller while the probe is out');
    b.success();
    assert.equal(b.state(), 'closed');
    assert.equal(b.tryAcquire(), true);
  });

  it('re-opens for a fresh period when the probe fails', () => {
    const b = new CircuitBreaker({ failures: 1, resetMs: 5000, now });
    b.failure();
    t += 6000;
    assert.equal(b.tryAcquire(), true);
    b.failure();
    assert.equal(b.state(), 'open');
    t += 4000;
    assert.equal(b.state(), 'open');
    t += 1000;
    assert.equal(b.state(), 'half-open');
  });

  it('release() frees the probe slot without changing the state (cancelled probe)', () => {
    const b = new CircuitBreaker({ failures: 1, resetMs: 100, now });
    b.failure();
    t += 100;
    assert.equal(b.tryAcquire(), true);
    b.release();
    assert.equal(b.state(), 'half-open');
    assert.equal(b.tryAcquire(), true);
  });

  it('the registry gives one breaker per key', () => {
    const r = new BreakerRegistry({ failures: 1, resetMs: 100, now });
    r.get('http://a/').failure();
    assert.equal(r.get('http://a/').state(), 'open');
    assert.equal(r.get('http://b/').state(), 'closed');
  });
});
