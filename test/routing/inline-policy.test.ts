// The ghost-text policy over every strategy: FIM-capable models within the latency budget, never
// the top rung by default, acceptance feedback moving the choice, timeouts falling back only to
// faster models.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { ModelConfig } from '../../server/config/schema';
import { eligibleForGhostText, fimCapable } from '../../server/routing/inline/eligibility';
import { acceptanceUpperBound, InlinePolicy } from '../../server/routing/inline/policy';
import { decidingReason } from '../../extension/why';
import { acceptedShare, AcceptanceModel, inlineContextOf } from '../../server/routing/inline/acceptance';
import { fasterFallbackOrder } from '../../server/client/fallback';
import { createStrategies } from '../../server/routing/registry';
import { byEnergy } from '../../server/routing/order';
import { estimateFootprint } from '../../server/routing/rewards';
import type { RouteInput } from '../../server/routing/types';
import { AVAILABLE, input, request, tmpDir } from './helpers';

// Inline answers of ~40 tokens: 1.3B ~520 ms, 6.7B/7B ~540 ms, 13B ~830 ms, 33B ~1050 ms, 70B ~1150 ms.
const inlineInput = (over: Partial<RouteInput> = {}): RouteInput =>
  input(request({ kind: 'inline', tests: [], prompt: 'def is_prime(n: int) -> bool:\n    """Return True if n is prime."""\n    ' }), { predict: (m) => estimateFootprint(m, 100, 40), ...over });
const ms = (m: ModelConfig) => estimateFootprint(m, 100, 40).latencyMs;
const top = byEnergy(AVAILABLE).at(-1)!;

/** Every strategy as the daemon builds it, with the shipped router bundle. */
function strategies() {
  return createStrategies({ models: AVAILABLE, stateDir: tmpDir(), inference: 'ts' });
}

describe('ghost-text eligibility', () => {
  it('keeps FIM-capable models within the budget, cheapest first, and never the top rung', () => {
    const e = eligibleForGhostText(AVAILABLE, ms, 600);
    assert.deepEqual(e.models.map((m) => m.id), ['deepseek-coder-1.3b', 'deepseek-coder-6.7b', 'codellama-7b']);
    assert.ok(e.models.every(fimCapable));
    const generous = eligibleForGhostText(AVAILABLE, ms, 60_000);
    assert.ok(!generous.models.some((m) => m.id === top.id), 'the top rung is out even when the budget allows it');
    assert.ok(generous.models.some((m) => m.id === 'codellama-34b'), 'a large FIM model below the top rung stays');
    // A fleet whose top rung is FIM-capable: it is left out all the same.
    const deepseek = AVAILABLE.filter((m) => m.id.startsWith('deepseek-coder'));
    const onlyDeepseek = eligibleForGhostText(deepseek, ms, 60_000);
    assert.deepEqual(onlyDeepseek.models.map((m) => m.id), ['deepseek-coder-1.3b', 'deepseek-coder-6.7b']);
    assert.match(onlyDeepseek.notes.join(' '), /top rung deepseek-coder-33b is never the ghost-text default/);
  });

  it('keeps the fastest model, and those as fast for the same answer, when none fits the budget', () => {
    const e = eligibleForGhostText(AVAILABLE, ms, 100);
    assert.deepEqual(e.models.map((m) => m.id), ['deepseek-coder-1.3b', 'deepseek-coder-6.7b', 'codellama-7b']);
    // A model never called still has the short prior length: it must not pass for fast because of it.
    const learned = (m: ModelConfig) => (m.id === 'deepseek-coder-33b' ? estimateFootprint(m, 100, 32).latencyMs : estimateFootprint(m, 100, 70).latencyMs);
    const cold = eligibleForGhostText(AVAILABLE, learned, 100);
    assert.ok(learned(AVAILABLE.find((m) => m.id === 'deepseek-coder-33b')!) < learned(AVAILABLE.find((m) => m.id === 'deepseek-coder-1.3b')!) * 1.1, 'the premise: 33B looks as fast on its prior');
    assert.ok(!cold.models.some((m) => m.id === 'deepseek-coder-33b'), cold.models.map((m) => m.id).join(', '));
    assert.match(e.notes.join(' '), /no model is expected within the 100 ms budget/);
  });

  it('the top rung answers only when it is the only candidate', () => {
    assert.deepEqual(eligibleForGhostText([top], ms, 100).models.map((m) => m.id), [top.id]);
  });
});

describe('the inline policy over every strategy', () => {
  it('no routing strategy defaults ghost text to the top rung or past the budget (cascade sends test-less requests to its top rung otherwise)', async () => {
    const policy = new InlinePolicy(new AcceptanceModel(null));
    const all = strategies();
    // Without the policy the shipped cascade sends a request without tests to its top rung.
    const bare = await all.get('cascade')!.choose(inlineInput());
    assert.equal(bare.model, 'deepseek-coder-33b', bare.explanation);
    for (const [id, s] of all) {
      if (id.startsWith('always-')) continue;
      const c = await policy.choose(s, inlineInput(), 600);
      assert.notEqual(c.model, top.id, id);
      assert.ok(ms(AVAILABLE.find((m) => m.id === c.model)!) <= 600, `${id} chose ${c.model}`);
      assert.ok(fimCapable(AVAILABLE.find((m) => m.id === c.model)!), `${id} chose ${c.model}`);
      assert.match(c.explanation, /^ghost text: /);
    }
  });

  it("before any feedback, every strategy's ghost text goes to the cheapest eligible model, and says why", async () => {
    const policy = new InlinePolicy(new AcceptanceModel(null));
    const cheapest = byEnergy(eligibleForGhostText(AVAILABLE, ms, 600).models)[0]!;
    for (const [id, s] of strategies()) {
      if (id.startsWith('always-')) continue;
      const c = await policy.choose(s, inlineInput(), 600);
      assert.equal(c.model, cheapest.id, `${id}: ${c.explanation}`);
      assert.match(c.explanation, new RegExp(`no feedback yet, so every eligible model may be the best and the cheapest, ${cheapest.id}, is tried first`), id);
    }
  });

  it('leaves fixed-model baselines alone', async () => {
    const policy = new InlinePolicy(new AcceptanceModel(null));
    const c = await policy.choose(strategies().get(`always-${top.id}`)!, inlineInput(), 600);
    assert.equal(c.model, top.id);
    assert.match(c.explanation, /fixed baseline/);
  });

  it('feedback moves the choice: rejections of one model send ghost text to the cheapest model accepted about as often', async () => {
    const dir = tmpDir();
    const policy = new InlinePolicy(new AcceptanceModel(path.join(dir, 'acc.json')));
    const cascade = strategies().get('cascade')!;
    const first = await policy.choose(cascade, inlineInput(), 600);
    assert.equal(first.model, 'deepseek-coder-1.3b', 'the cheapest first');
    const req = inlineInput().request;
    const teach = (model: string, kind: 'accepted' | 'rejected', i: number) => {
      // What a verdict on a ghost-text answer records (daemon/inlineFeedback.ts).
      policy.acceptance.record(model, req.language, inlineContextOf(req), acceptedShare(kind));
    };
    for (let i = 0; i < 6; i++) teach('deepseek-coder-1.3b', 'rejected', i);
    for (let i = 0; i < 6; i++) teach('deepseek-coder-6.7b', i < 4 ? 'accepted' : 'rejected', i);
    // codellama-7b, eligible too, has no feedback yet: it is tried before feedback settles.
    const exploring = await policy.choose(cascade, inlineInput(), 600);
    assert.equal(exploring.model, 'codellama-7b', exploring.explanation);
    assert.match(exploring.explanation, /is tried: feedback has 0 of the 3 outcomes/);
    for (let i = 0; i < 6; i++) teach('codellama-7b', 'rejected', i);
    const after = await policy.choose(cascade, inlineInput(), 600);
    assert.equal(after.model, 'deepseek-coder-6.7b', after.explanation);
    assert.match(after.explanation, /estimated acceptance/);
    // The tallies persist and come back.
    policy.persist();
    const again = new InlinePolicy(new AcceptanceModel(path.join(dir, 'acc.json')));
    assert.equal((await again.choose(cascade, inlineInput(), 600)).model, 'deepseek-coder-6.7b');
    assert.notEqual(first.explanation, after.explanation);
  });

  it('a cheap model that a few early rejections put behind comes back while its record is short', async () => {
    const policy = new InlinePolicy(new AcceptanceModel(null));
    const cascade = strategies().get('cascade')!;
    const req = inlineInput().request;
    const teach = (model: string, accepted: boolean) => policy.acceptance.record(model, req.language, inlineContextOf(req), acceptedShare(accepted ? 'accepted' : 'rejected'));
    for (let i = 0; i < 3; i++) teach('deepseek-coder-1.3b', false);
    for (const m of ['deepseek-coder-6.7b', 'codellama-7b']) for (let i = 0; i < 6; i++) teach(m, i < 2);
    // 0 of 3 against 2 of 6: the 1.3B may still be as good, and it is the cheapest.
    const back = await policy.choose(cascade, inlineInput(), 600);
    assert.equal(back.model, 'deepseek-coder-1.3b', back.explanation);
    assert.match(back.explanation, /may be within 5% of the best estimate/);
    // Its record grows: 0 of 12 rules it out.
    for (let i = 0; i < 9; i++) teach('deepseek-coder-1.3b', false);
    assert.notEqual((await policy.choose(cascade, inlineInput(), 600)).model, 'deepseek-coder-1.3b');
  });

  it("the editor's \"Why this model?\" reads the policy's own explanations (extension/why.ts)", async () => {
    const policy = new InlinePolicy(new AcceptanceModel(null));
    const cascade = strategies().get('cascade')!;
    const why = (c: { model: string; explanation: string }) => decidingReason({ requestId: 'q', decision: { model: c.model, strategy: 'cascade', explanation: c.explanation }, fallbacks: [] } as unknown as Parameters<typeof decidingReason>[0]);
    assert.match(why(await policy.choose(cascade, inlineInput(), 600)), /is the cheapest model that can write ghost text within your latency budget/);
    const req = inlineInput().request;
    for (const m of ['deepseek-coder-1.3b', 'deepseek-coder-6.7b', 'codellama-7b']) for (let i = 0; i < 6; i++) policy.acceptance.record(m, req.language, inlineContextOf(req), i < 3 ? 1 : 0);
    assert.match(why(await policy.choose(cascade, inlineInput(), 600)), /^deepseek-coder-1\.3b is the cheapest model whose suggestions you accept about as often as the best \(\d+% accepted in python function\/new-line, from 6 suggestions\)\.$/);
  });

  it('the plausible acceptance of a model: 1 with no outcomes, falling with the evidence (Wilson, 95%)', () => {
    assert.equal(acceptanceUpperBound(0.5, 0), 1);
    // Hand-computed Wilson upper bounds (z = 1.96).
    assert.ok(Math.abs(acceptanceUpperBound(0, 3) - 0.5616) < 1e-3, String(acceptanceUpperBound(0, 3)));
    assert.ok(Math.abs(acceptanceUpperBound(0.5, 100) - 0.5962) < 1e-3, String(acceptanceUpperBound(0.5, 100)));
    assert.ok(acceptanceUpperBound(0.2, 6) > acceptanceUpperBound(0.2, 60), 'more outcomes, a tighter bound');
  });

  it('acceptance is per language and context, shrunk toward the model record', () => {
    const acc = new AcceptanceModel(null);
    const ctx = inlineContextOf({ functionName: 'f', prompt: 'def f():\n    ' });
    assert.equal(ctx, 'function/new-line');
    assert.equal(inlineContextOf({ functionName: null, prompt: 'x = fo' }), 'top-level/mid-line');
    for (let i = 0; i < 10; i++) acc.record('m', 'python', ctx, 1);
    const py = acc.estimate('m', 'python', ctx);
    const ts = acc.estimate('m', 'typescript', ctx);
    assert.ok(py.p > 0.85 && py.n === 10, JSON.stringify(py));
    assert.ok(ts.p < py.p && ts.p > 0.5 && ts.n === 0, 'another language borrows from the model, partly');
  });
});

describe('ghost-text fallback', () => {
  it('a failed or timed-out model falls back only to faster ones, the next faster first', () => {
    const chosen = AVAILABLE.find((m) => m.id === 'codellama-13b')!;
    const order = fasterFallbackOrder(AVAILABLE, chosen.id, ms);
    assert.equal(order[0]!.id, chosen.id);
    assert.ok(order.length > 1);
    for (const m of order.slice(1)) assert.ok(ms(m) < ms(chosen), `${m.id} is not faster`);
    for (let i = 2; i < order.length; i++) assert.ok(ms(order[i]!) <= ms(order[i - 1]!));
    assert.deepEqual(fasterFallbackOrder(AVAILABLE, 'deepseek-coder-1.3b', ms).map((m) => m.id), ['deepseek-coder-1.3b'], 'nothing is faster than the fastest');
    assert.deepEqual(fasterFallbackOrder(AVAILABLE, chosen.id, ms, false).map((m) => m.id), [chosen.id]);
  });
});
