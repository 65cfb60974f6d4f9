// Per-strategy figures, the oracle and the target verdict on hand-made rows.
import { strict as assert } from 'node:assert';
import { crossStrategy, oracleRow, summarise, targetVerdict } from '../../server/eval/score';
import { hindsightFloor, targetCount } from '../../server/fit/hindsight-floor';
import type { TaskRow } from '../../server/eval/types';

function row(strategy: string, task: string, model: string, passed: boolean, energy_j: number, latency: number, calls = [model]): TaskRow {
  return { strategy, task_id: task, sent_as: strategy, fold: null, model, calls, passed, passed_plus: passed, reason: '', energy_j, co2_g: energy_j / 10, cost_usd: energy_j / 1000, latency_ms: latency, code_sha: '' };
}

describe('eval: scoring', () => {
  it('summarises a strategy (hand-computed)', () => {
    const rows = [row('r', 't1', 'small', true, 360, 100), row('r', 't2', 'big', false, 3240, 300, ['small', 'big']), row('r', 't3', 'small', true, 0, 200)];
    const s = summarise('r', rows, 'big', 'n/a');
    assert.equal(s.pass_at_1, 0.666667); // 2/3, rounded to 6 digits
    assert.equal(s.energy_wh, 1); // (360 + 3240 + 0) J / 3600
    assert.equal(s.latency_p50_ms, 200); // nearest rank: ceil(1.5) = 2nd of [100, 200, 300]
    assert.equal(s.latency_p95_ms, 300);
    assert.deepEqual(s.calls, { big: 1, small: 3 });
    assert.equal(s.strong_share, 0.333333); // 1 of 3 tasks called 'big'
  });

  it('picks the least-energy passing model for the oracle, else the cheapest answer', () => {
    const a = { model: 'a', row: row('always-a', 't', 'a', false, 1, 10) };
    const b = { model: 'b', row: row('always-b', 't', 'b', true, 5, 20) };
    const c = { model: 'c', row: row('always-c', 't', 'c', true, 3, 30) };
    assert.equal(oracleRow('t', [a, b, c]).model, 'c'); // b and c pass; c spends 3 J < 5 J
    const none = oracleRow('t', [{ ...b, row: { ...b.row, passed: false } }, a]);
    assert.equal(none.model, 'a');
    assert.equal(none.passed, false);
    assert.equal(none.strategy, 'oracle');
  });

  it('states the target plainly: met and not met', () => {
    // always-largest: 70% at 10 Wh. router1: 76% at 2 Wh (+6 points, 20%) -> met.
    // router2: 80% at 4 Wh (+10 points, but 40% > 25%) -> outside the cap, not chosen.
    const mk = (s: string, passed: number, wh: number) => summarise(s, Array.from({ length: 50 }, (_, i) => row(s, `t${i}`, 'm', i < passed, (wh * 3600) / 50, 1)), 'big', '');
    const rows = crossStrategy([mk('router1', 38, 2), mk('router2', 40, 4), mk('always-small', 30, 1), mk('always-largest', 35, 10)], 'always-small', 'always-largest');
    const t = targetVerdict(rows, 'always-big');
    assert.equal(t.best_strategy, 'router1');
    assert.equal(t.delta_vs_largest_points, 6); // (0.76 - 0.70) * 100
    assert.equal(t.energy_share_of_largest, 0.2);
    assert.equal(t.met, true);
    assert.match(t.statement, /^MET: best strategy router1/);
    // Only router2 (outside the cap): it is reported, and the target is not met.
    const t2 = targetVerdict(rows.filter((r) => r.strategy !== 'router1'), 'always-big');
    assert.equal(t2.best_strategy, 'router2');
    assert.equal(t2.met, false);
    assert.match(t2.statement, /^NOT MET/);
    assert.match(t.statement, /Not compared with the fixed cascade nor the best single model: not run\./);
  });

  it('asks the best router to beat both baselines at no more energy, and prefers one that does', () => {
    // always-largest 70% at 10 Wh; the fixed cascade 78% at 3 Wh; the best single model 74% at 6 Wh.
    const mk = (s: string, passed: number, wh: number) => summarise(s, Array.from({ length: 50 }, (_, i) => row(s, `t${i}`, 'm', i < passed, (wh * 3600) / 50, 1)), 'big', '');
    const base = [mk('fixed-cascade', 39, 3), { ...mk('best-single', 37, 6), note: '= always-mid' }, mk('always-largest', 35, 10)];
    // fast: +6 points at 20%, below the fixed cascade's pass@1; steady: +8 points at 25%, both baselines beaten.
    const fast = mk('fast', 38, 2);
    const steady = mk('steady', 39, 2.5);
    const t = targetVerdict(crossStrategy([fast, steady, ...base], 'always-small', 'always-largest'), 'always-big');
    assert.equal(t.best_strategy, 'steady');
    assert.equal(t.met, true);
    assert.match(t.statement, /It beats the fixed cascade \(78\.0% at 30\.0%\) and the best single model \(mid: 74\.0% at 60\.0%\) at equal or lower energy\./);
    // Without steady, fast is the best within the cap; it meets +5 points at 20% but not the fixed cascade.
    const t2 = targetVerdict(crossStrategy([fast, ...base], 'always-small', 'always-largest'), 'always-big');
    assert.equal(t2.best_strategy, 'fast');
    assert.equal(t2.met, false);
    assert.match(t2.statement, /^NOT MET: best strategy fast reaches pass@1 76\.0% \(\+6\.0 points/);
    assert.match(t2.statement, /It beats the best single model \(mid: .*It does not beat the fixed cascade \(78\.0% at 30\.0%\)/);
    // The fixed cascade is a baseline, never the best strategy.
    assert.notEqual(targetVerdict(crossStrategy(base, 'always-small', 'always-largest'), 'always-big').best_strategy, 'fixed-cascade');
  });

  // A three-model fleet (50 tasks): small 60% at 1 Wh, mid 76% at 3 Wh, big 80% at 10 Wh (the
  // largest and the best single model). Frontier: small -> mid -> big (slopes 8 and 0.57 points/Wh).
  const fleet3 = () => {
    const mk = (s: string, passed: number, wh: number) => summarise(s, Array.from({ length: 50 }, (_, i) => row(s, `t${i}`, 'm', i < passed, (wh * 3600) / 50, 1)), 'big', '');
    return {
      mk,
      base: [mk('always-small', 30, 1), mk('always-mid', 38, 3), mk('always-big', 40, 10), mk('always-largest', 40, 10), { ...mk('best-single', 40, 10), note: '= always-big' }, mk('oracle', 47, 1.5)],
    };
  };

  it('fills each strategy\'s lift over the single-model frontier and its share of the oracle\'s (hand-computed)', () => {
    const { mk, base } = fleet3();
    const rows = crossStrategy([mk('moe', 37, 2), mk('cascade', 44, 4), ...base], 'always-small', 'always-largest');
    const lift = (s: string) => rows.find((r) => r.strategy === s)!;
    // moe 74% at 2 Wh; the frontier there is half way small-mid: 68% -> +6.0.
    assert.equal(lift('moe').lift_points, 6);
    // cascade 88% at 4 Wh; the frontier: 76 + 4 x 1/7 = 76.5714% -> +11.4286.
    assert.equal(lift('cascade').lift_points, 11.4286);
    // oracle 94% at 1.5 Wh; the frontier: 64% -> +30, the room there is.
    assert.equal(lift('oracle').lift_points, 30);
    assert.equal(lift('oracle').lift_share_of_oracle, 1);
    assert.equal(lift('cascade').lift_share_of_oracle, 0.381);
    // Single models: 0 on the frontier; always-largest is on it here (the best pass@1).
    assert.deepEqual(['always-small', 'always-mid', 'always-big', 'always-largest'].map((s) => lift(s).lift_points), [0, 0, 0, 0]);
  });

  it('names the best router by lift, with both baselines, not the best pass@1 under the energy cap', () => {
    const { mk, base } = fleet3();
    // moe fits the cap (20%) at -6 points vs always-largest; cascade beats always-largest and the
    // best single model at 40% of the energy: the verdict is about the cascade.
    const t = targetVerdict(crossStrategy([mk('moe', 37, 2), mk('cascade', 44, 4), ...base], 'always-small', 'always-largest'), 'always-big');
    assert.equal(t.best_strategy, 'cascade');
    assert.equal(t.best_by_lift, 'cascade');
    assert.equal(t.met, false, 'above the 25% energy cap');
    assert.equal(t.lift_points, 11.4286);
    assert.match(t.statement, /^NOT MET: best strategy cascade reaches pass@1 88\.0% \(\+8\.0 points vs always-largest 80\.0%, \+8\.0 points vs the best single model big 80\.0%\) using 40\.0% of always-largest's energy/);
    assert.match(t.statement, /Lift over the single-model frontier: \+11\.4 points, 38\.1% of the oracle's \+30\.0\./);
    assert.match(t.statement, /It beats the best single model \(big: 80\.0% at 100\.0%\) at equal or lower energy\./);
    // A router that meets the target is the verdict's, and the higher lift of one that does not is named beside it.
    const t2 = targetVerdict(crossStrategy([mk('fast', 43, 2), mk('bold', 49, 6), ...base], 'always-small', 'always-largest'), 'always-big');
    assert.deepEqual([t2.best_strategy, t2.met, t2.best_by_lift], ['fast', true, 'bold']);
    assert.match(t2.statement, /^MET: best strategy fast .* The best router by lift is bold \(\+20\.3 points, pass@1 98\.0% at 60\.0%\), which does not meet the target\./);
    assert.deepEqual(t2.warnings, []);
  });

  it('warns in the verdict about answers missing from the recordings and failed requests', () => {
    const { mk, base } = fleet3();
    // Half of mid's answers are missing (the recorded fleet's 404); a router had 2 failed requests.
    const mid = Array.from({ length: 50 }, (_, i) => ({ ...row('always-mid', `t${i}`, 'mid', i < 19, i < 25 ? 216 : 0, 1), ...(i >= 25 ? { error: 'HTTP 404: no recording of mid for this prompt', passed: false } : {}) }));
    const flaky = Array.from({ length: 50 }, (_, i) => ({ ...row('flaky', `t${i}`, 'mid', i < 40, 144, 1), ...(i < 2 ? { error: 'HTTP 500: boom', passed: false } : {}) }));
    const rows = crossStrategy([summarise('flaky', flaky, 'big', ''), ...base.filter((r) => r.strategy !== 'always-mid'), summarise('always-mid', mid, 'big', '')], 'always-small', 'always-largest');
    const midRow = rows.find((r) => r.strategy === 'always-mid')!;
    assert.deepEqual([midRow.errors, midRow.missing], [25, 25]);
    const t = targetVerdict(rows, 'always-big');
    assert.equal(t.warnings.length, 2);
    assert.match(t.warnings[0], /^WARNING: answers missing from the recordings .*: always-mid 25 of 50\.$/);
    assert.match(t.warnings[1], /^WARNING: failed requests \(each counted as a failure\): flaky 2 of 50\.$/);
    assert.ok(t.statement.endsWith(` ${t.warnings.join(' ')}`), t.statement);
  });

  describe('hindsightFloor: the least energy any router could reach a pass count with', () => {
    const a = (energy: number, passed: boolean) => ({ energy, passed });
    // Four tasks, a cheap model (1 J) and a dear one (10 J). The cheap one passes t0 and t1; the
    // dear one passes t0, t2 and t3 (t3's dear answer costs 20 J).
    const tasks = [
      [a(1, true), a(10, true)],
      [a(1, true), a(10, false)],
      [a(1, false), a(10, true)],
      [a(1, false), a(20, true)],
    ];

    it('starts every task at its cheapest answer and buys the cheapest passes first', () => {
      assert.equal(hindsightFloor(tasks, 2), 4);
      assert.equal(hindsightFloor(tasks, 3), 4 + 9);
      assert.equal(hindsightFloor(tasks, 4), 4 + 9 + 19);
    });

    it('is null when even every passing answer falls short, and ignores tasks without answers', () => {
      assert.equal(hindsightFloor(tasks, 5), null);
      assert.equal(hindsightFloor([...tasks, []], 4), 32);
    });

    it('is never above any single-answer choice that reaches the count (brute force)', () => {
      let best = Infinity;
      for (let mask = 0; mask < 16; mask++) {
        const picks = tasks.map((t, i) => t[(mask >> i) & 1]!);
        if (picks.filter((p) => p.passed).length >= 3) best = Math.min(best, picks.reduce((s, p) => s + p.energy, 0));
      }
      assert.equal(hindsightFloor(tasks, 3), best);
    });

    it('targetCount: always-largest + 5 points, rounded up to whole tasks', () => {
      assert.equal(targetCount(0.7, 100), 75);
      assert.equal(targetCount(125 / 164, 164), 134); // 125 + 8.2
    });

    it('the verdict says when the floor is above the target energy', () => {
      const mk = (s: string, passed: number, wh: number) => summarise(s, Array.from({ length: 50 }, (_, i) => row(s, `t${i}`, 'm', i < passed, (wh * 3600) / 50, 1)), 'big', '');
      const rows = crossStrategy([mk('router1', 38, 4), mk('always-small', 30, 1), mk('always-largest', 35, 10)], 'always-small', 'always-largest');
      assert.match(targetVerdict(rows, 'always-big', 0.3).statement, /at least 30\.0% of the energy \(the hindsight floor: above the target, so no router can meet it here\)/);
      assert.match(targetVerdict(rows, 'always-big', 0.1).statement, /at least 10\.0% of the energy \(the hindsight floor\)\.$/);
      assert.match(targetVerdict(rows, 'always-big', null).statement, /No router can reach \+5 points/);
      assert.equal(targetVerdict(rows, 'always-big', 0.1).floor_energy_share, 0.1);
    });
  });
});
