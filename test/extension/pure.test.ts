// The extension's other pure helpers: formatting, edit ratio, test-file patterns, dashboard HTML.
import * as assert from 'node:assert/strict';
import { editRatio } from '../../extension/completion/editRatio';
import { contentSecurityPolicy, renderDashboard } from '../../extension/dashboard/html';
import { formatCo2, formatUsd } from '../../extension/format';
import { isTestFile, relatedPatterns } from '../../extension/relatedPatterns';
import type { SessionStats } from '../../shared/protocol';

describe('extension: pure helpers', () => {
  it('formats carbon and cost with two significant digits', () => {
    assert.equal(formatCo2(0), '0 g');
    assert.equal(formatCo2(0.001234), '0.0012 g');
    assert.equal(formatCo2(0.5349), '0.53 g');
    assert.equal(formatCo2(12.4), '12.40 g');
    assert.equal(formatUsd(0.000042), '$0.000042');
    assert.equal(formatUsd(1.2), '$1.20');
  });

  it('measures the share of inserted code the user changed', () => {
    assert.equal(editRatio('return a + b', 'return a + b'), 0);
    assert.equal(editRatio('abcd', ''), 1);
    assert.ok(Math.abs(editRatio('return a + b', 'return a - b') - 1 / 12) < 1e-9);
  });

  it('looks for the tests of a file where they usually are', () => {
    const py = relatedPatterns('pkg/close.py', 'python');
    assert.ok(py.includes('pkg/test_close.py') && py.includes('pkg/close_test.py') && py.includes('**/tests/**/*.py'));
    const ts = relatedPatterns('src/sum.ts', 'typescript');
    assert.ok(ts.includes('src/sum.test.{ts,tsx,js}') && ts.includes('src/sum.spec.{ts,tsx,js}'));
    assert.deepEqual(relatedPatterns('a.rs', 'rust'), []);
    assert.ok(isTestFile('pkg/test_close.py') && isTestFile('src/sum.spec.ts') && isTestFile('tests/helpers.py'));
    assert.ok(!isTestFile('src/sum.ts'));
  });

  it('renders the dashboard with inline SVG under a locked-down CSP', () => {
    const stats: SessionStats = {
      sessionId: 's',
      session: { requests: 2, promptTokens: 10, completionTokens: 20, energyJ: 5, co2g: 0.5, costUsd: 0.001 },
      baseline: { model: 'llama-3.1-70b', co2g: 2, costUsd: 0.01, energyJ: 20 },
      saved: { co2g: 1.5, costUsd: 0.009, energyJ: 15 },
      lastModel: 'deepseek-coder-1.3b',
      byModel: [{ model: 'deepseek-coder-1.3b<script>', requests: 2, promptTokens: 10, completionTokens: 20, energyJ: 5, co2g: 0.5, costUsd: 0.001 }],
      budget: { level: 'balanced', items: [{ metric: 'co2g', window: 'day', limit: 1, used: 0.5, violations: 0 }] },
      recent: [],
      hourly: [{ hour: '2026-11-26T04:00:00Z', co2g: 0.5, costUsd: 0.001, requests: 2 }],
      recommendations: ['Use carbon-aware at night'],
    };
    const html = renderDashboard(stats, 'NONCE');
    assert.ok(html.includes(`content="${contentSecurityPolicy('NONCE')}"`));
    assert.match(contentSecurityPolicy('N'), /default-src 'none'/);
    assert.match(contentSecurityPolicy('N'), /script-src 'none'/);
    assert.ok(html.includes('<svg'));
    assert.ok(!html.includes('<script'), 'names are escaped, no scripts');
    assert.ok(!/(src|href)="https?:/.test(html), 'no external resources');
    assert.ok(html.includes('75%'), 'savings share vs always-largest');
  });
});
