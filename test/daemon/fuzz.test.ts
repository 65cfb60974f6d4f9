// A smaller run of the protocol fuzzer (`npm run bench -- --fuzz` sends 10,000): fast-check
// messages to a shared daemon, every request answered, the daemon alive and serving correctly
// afterwards. The seed changes per run and is printed on failure, so a failure reproduces with
// `npm run bench -- --fuzz --seed <seed>`.
import { strict as assert } from 'node:assert';
import { fuzzDaemon } from '../../server/bench/fuzz';

describe('daemon: protocol fuzzing (fast-check)', function () {
  this.timeout(180_000);

  it('survives 500 arbitrary messages and answers correctly afterwards', async () => {
    const seed = Date.now() % 2_147_483_647;
    const r = await fuzzDaemon({ messages: 500, seed });
    const why = `seed ${seed}: ${JSON.stringify(r)}`;
    assert.equal(r.failure, undefined, why);
    assert.equal(r.messages, 500, why);
    assert.equal(r.crashes, 0, why);
    assert.equal(r.daemon_alive, true, why);
    assert.equal(r.answers_correctly_after, true, why);
    assert.deepEqual(r.internal_errors, [], why);
    assert.ok(r.requests > 100 && r.answered > 0, why);
  });
});
