// The test the catalogue's comment promises: every catalogue jPerOutputToken recomputed from the
// shipped ML.ENERGY CSV by log-log interpolation between the dense anchors at H100, batch 64.
import { strict as assert } from 'node:assert';
import { CATALOGUE } from '../../server/config/catalogue';
import { calibrate, loadEnergyCsv, anchorRows, parseEnergyCsv } from '../../server/accounting';

describe('accounting/calibration', () => {
  it('reads the five dense anchors at H100, max_num_seqs 64', () => {
    const anchors = anchorRows(loadEnergyCsv());
    assert.deepEqual(
      anchors.map((a) => [a.model, a.numGpus, a.jPerToken]),
      [
        ['meta-llama/Llama-3.1-8B-Instruct', 1, 0.1186],
        ['Qwen/Qwen3-14B', 1, 0.1672],
        ['Qwen/Qwen3-32B', 2, 0.3671],
        ['meta-llama/Llama-3.1-70B-Instruct', 4, 0.7972],
        ['meta-llama/Llama-3.1-405B-Instruct-FP8', 8, 3.0825],
      ],
    );
  });

  for (const m of CATALOGUE) {
    it(`${m.id} (${m.paramsB}B): catalogue ${m.energy.jPerOutputToken.value} J/token matches the CSV to 1e-3`, () => {
      const c = calibrate(m.paramsB, 'H100', m.energy.batch);
      const rel = Math.abs(c.jPerOutputToken - m.energy.jPerOutputToken.value) / c.jPerOutputToken;
      assert.ok(rel <= 1e-3, `${m.id}: CSV gives ${c.jPerOutputToken.toFixed(5)}, catalogue says ${m.energy.jPerOutputToken.value} (rel ${rel.toExponential(2)}); ${c.source}`);
    });
  }

  it('interpolates log-log and cites the rows (hand computation)', () => {
    // 13B between Llama-3.1-8B (0.1186) and Qwen3-14B (0.1672):
    // slope = ln(0.1672/0.1186) / ln(14/8) = 0.343436 / 0.559616 = 0.613699
    // J(13) = 0.1186 * (13/8)^0.613699 = 0.1186 * 1.347102 = 0.159766
    const c = calibrate(13);
    assert.ok(Math.abs(c.jPerOutputToken - 0.159766) < 1e-5, String(c.jPerOutputToken));
    assert.equal(c.rows.length, 2);
    assert.match(c.source, /log-log interpolation.*Llama-3\.1-8B-Instruct.*Qwen3-14B/);
  });

  it('extrapolates below 8B along the 8B -> 14B slope (hand computation)', () => {
    // J(1.3) = 0.1186 * (1.3/8)^0.613699 = 0.1186 * 0.327876 = 0.038886
    const c = calibrate(1.3);
    assert.ok(Math.abs(c.jPerOutputToken - 0.038886) < 1e-5, String(c.jPerOutputToken));
    assert.match(c.source, /extrapolated below 8B/);
  });

  it('returns the measured figure for an anchor size and cites its row', () => {
    const c = calibrate(70);
    assert.equal(c.jPerOutputToken, 0.7972);
    assert.match(c.source, /measured, meta-llama\/Llama-3\.1-70B-Instruct .*H100 x4, max_num_seqs 64/);
  });

  it('calibrates at another batch from that batch\'s rows', () => {
    assert.equal(calibrate(8, 'H100', 8).jPerOutputToken, 0.4548);
    assert.throws(() => calibrate(8, 'A100', 64), /fewer than two/);
  });

  it('parses a CSV by column name', () => {
    const rows = parseEnergyCsv('j_per_token,model,task,total_params_b,active_params_b,gpu,num_gpus,max_num_seqs,avg_batch,avg_output_tokens,j_per_request,avg_power_w,median_itl_ms\n0.5,m,t,1,1,H100,1,64,60,100,50,500,10\n');
    assert.equal(rows[0].jPerToken, 0.5);
    assert.equal(rows[0].model, 'm');
  });
});
