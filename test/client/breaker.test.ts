// The breaker's state machine is cockatiel's; this checks the wiring: which errors count, the
// reported state, and one breaker per server.
import { strict as assert } from 'node:assert';
import { BrokenCircuitError } from 'cockatiel';
import { BreakerRegistry, ServerBreaker } from '../../server/client/breaker';
import { delay } from './helpers';

class ServerFault extends Error {}
const OPTS = { failures: 2, resetMs: 50, countsAgainst: (e: Error) => e instanceof ServerFault };
const fail = (b: ServerBreaker, e: Error = new ServerFault('boom')) => assert.rejects(b.policy.execute(() => Promise.reject(e)), e);
const succeed = (b: ServerBreaker) => b.policy.execute(() => 'ok');

describe('client/breaker', () => {
  it('opens after N consecutive counted failures, rejects while open, probes after resetMs', async () => {
    const b = new ServerBreaker(OPTS);
    await fail(b);
    assert.equal(b.state(), 'closed');
    await fail(b);
    assert.equal(b.state(), 'open');
    assert.ok(b.retryInMs() > 0 && b.retryInMs() <= 50);
    await assert.rejects(succeed(b), BrokenCircuitError);
    await delay(60);
    assert.equal(b.state(), 'half-open', 'the next call is the probe');
    assert.equal(await succeed(b), 'ok');
    assert.equal(b.state(), 'closed');
  });

  it('a failed probe re-opens it for a fresh period', async () => {
    const b = new ServerBreaker({ ...OPTS, failures: 1 });
    await fail(b);
    await delay(60);
    await fail(b);
    assert.equal(b.state(), 'open');
  });

  it('errors that do not count leave it closed', async () => {
    const b = new ServerBreaker({ ...OPTS, failures: 1 });
    await fail(b, new Error('the caller cancelled'));
    assert.equal(b.state(), 'closed');
  });

  it('the registry gives one breaker per key', async () => {
    const r = new BreakerRegistry({ ...OPTS, failures: 1 });
    await fail(r.get('http://a/'));
    assert.equal(r.get('http://a/').state(), 'open');
    assert.equal(r.get('http://b/').state(), 'closed');
  });
});
