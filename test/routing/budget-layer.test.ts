// The budget layer over every strategy: the level changes the decisions of all of them; per-request
// limits and the room left drop models; a spent budget downgrades, refuses or (relaxed) warns.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { createStrategies, predictorsOf } from '../../server/routing/registry';
import { AGGRESSIVE_SPREAD, applyBudgets, withBudgetNotes, type BudgetScope } from '../../server/routing/budget-layer';
import type { RouteInput, Strategy } from '../../server/routing/types';
import { estimateFootprint } from '../../server/routing/rewards';
import { loadHumanEval } from '../../server/data/datasets';
import { requestContextFor } from '../../server/daemon/requestContext';
import { AVAILABLE, MODELS, input, tmpDir } from './helpers';

const predict = (m: (typeof MODELS)[number]) => estimateFootprint(m, 200, 200);
const open = (scope: BudgetScope['scope']): BudgetScope => ({ scope, perRequest: { co2g: Infinity, costUsd: Infinity }, left: { co2g: Infinity, costUsd: Infinity }, spent: [] });
const resetsAt = new Date('2026-11-27T10:00:00Z');
const spentDay: BudgetScope = { ...open('user'), spent: [{ item: 'co2g/day', limit: 1, used: 1.2, resetsAt }] };
/** The models a strategy calls on `i` when every answer fails its tests (at most 4 calls). */
async function calls(s: Strategy, i: RouteInput): Promise<string[]> {
  const out = [(await s.choose(i)).model];
  const tried = () => out.map((model) => ({ model, passed: false }));
  for (let next = await s.escalate?.(i, tried()); next && out.length < 4; next = await s.escalate?.(i, tried())) out.push(next.model);
  return out;
}
const byCo2 = [...AVAILABLE].sort((a, b) => predict(a).co2g - predict(b).co2g);

describe('routing: the budget layer', function () {
  this.timeout(60_000);
  let dir: string;
  let strategies: Map<string, Strategy>;
  before(async () => {
    dir = tmpDir();
    strategies = createStrategies({ models: MODELS, stateDir: dir });
    await Promise.all(predictorsOf(strategies).map((p) => p.ready));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the level changes the decisions (first model or escalations) of every strategy, not only the budget-aware ones', async () => {
    const tasks = loadHumanEval();
    for (const id of ['cascade', 'classifier', 'moe', 'ensemble', 'rl', 'complexity', 'carbon-aware']) {
      const s = strategies.get(id)!;
      let changed = 0;
      for (const t of tasks) {
        const lines = t.prompt.split('\n');
        const req = requestContextFor('implement', { uri: 'file:///t.py', text: t.prompt, language: 'python', position: { line: lines.findIndex((l) => l.startsWith(`def ${t.entry_point}(`)) + 1, character: 0 } })!;
        const relaxed = applyBudgets(AVAILABLE, predict, 'relaxed', [open('daemon')], 'downgrade');
        const aggressive = applyBudgets(AVAILABLE, predict, 'aggressive', [open('daemon')], 'downgrade');
        const a = await calls(s, input(req, { candidates: relaxed.candidates, predict }));
        const b = await calls(s, input(req, { candidates: aggressive.candidates, predict }));
        if (a.join() !== b.join()) changed++;
        for (const m of b) assert.ok(aggressive.candidates.some((c) => c.id === m), `${id} called ${m}, which the aggressive level left out`);
      }
      assert.ok(changed > 0, `${id}: no decision of ${tasks.length} changed between relaxed and aggressive`);
    }
  });

  it('aggressive keeps the models within AGGRESSIVE_SPREAD x the cheapest CO2 and says which it left out', () => {
    const v = applyBudgets(AVAILABLE, predict, 'aggressive', [open('daemon')], 'downgrade');
    const floor = predict(byCo2[0]!).co2g;
    assert.deepEqual(new Set(v.candidates.map((m) => m.id)), new Set(AVAILABLE.filter((m) => predict(m).co2g <= AGGRESSIVE_SPREAD * floor).map((m) => m.id)));
    assert.ok(v.candidates.length >= 1 && v.candidates.length < AVAILABLE.length);
    assert.match(v.notes.join(' '), /Aggressive budget level/);
    assert.equal(applyBudgets(AVAILABLE, predict, 'balanced', [open('daemon')], 'downgrade').candidates.length, AVAILABLE.length);
  });

  it('drops models predicted over the per-request limit or the room left; the cheapest stays when none fits', () => {
    const limit = (predict(byCo2[1]!).co2g + predict(byCo2[2]!).co2g) / 2;
    const v = applyBudgets(AVAILABLE, predict, 'balanced', [open('daemon'), { ...open('user'), left: { co2g: limit, costUsd: Infinity } }], 'downgrade');
    assert.deepEqual(v.candidates.map((m) => m.id).sort(), byCo2.slice(0, 2).map((m) => m.id).sort());
    const none = applyBudgets(AVAILABLE, predict, 'balanced', [{ ...open('daemon'), perRequest: { co2g: 1e-12, costUsd: Infinity } }], 'downgrade');
    assert.deepEqual(none.candidates.map((m) => m.id), [byCo2[0]!.id]);
    assert.match(none.notes[0]!, /downgraded to the cheapest/);
  });

  it('a spent budget downgrades to the cheapest model, or refuses naming the budget and its reset, or (relaxed) warns', () => {
    const down = applyBudgets(AVAILABLE, predict, 'balanced', [open('daemon'), spentDay], 'downgrade');
    assert.deepEqual(down.candidates.map((m) => m.id), [byCo2[0]!.id]);
    assert.match(down.notes[0]!, /your daily carbon budget \(1 g CO2e, 1\.2 used\) is spent until 2026-11-27T10:00:00\.000Z/);
    assert.equal(down.spent[0]!.action, 'downgrade');
    const refused = applyBudgets(AVAILABLE, predict, 'aggressive', [open('daemon'), spentDay], 'refuse');
    assert.match(refused.refusal!, /^Request refused: your daily carbon budget .* until 2026-11-27T10:00:00\.000Z/);
    const relaxed = applyBudgets(AVAILABLE, predict, 'relaxed', [open('daemon'), spentDay], 'refuse');
    assert.equal(relaxed.refusal, null);
    assert.equal(relaxed.candidates.length, AVAILABLE.length);
    assert.match(relaxed.notes[0]!, /not enforced/);
  });

  it('the notes reach the explanation; learning reaches the strategy itself', async () => {
    let learnt = 0;
    const inner: Strategy = { id: 'x', description: 'x', choose: () => ({ model: AVAILABLE[0]!.id, explanation: 'x chose', verify: false }), learn: () => void learnt++ };
    const wrapped = withBudgetNotes(inner, ['Budget: note.']);
    assert.equal((await wrapped.choose(input())).explanation, 'x chose Budget: note.');
    wrapped.learn!({} as never);
    assert.equal(learnt, 1);
    assert.equal(wrapped.escalate, undefined);
  });
});
