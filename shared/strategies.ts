// The routing strategies a user can pick, declared once: the extension's `routerllm.strategy`
// setting is generated from this list, and test/daemon/strategies.test.ts fails when the daemon's
// registry (server/routing/registry.ts) offers a strategy this list lacks, or lacks one it names.
// The registry's per-model `always-<model>` baselines and the evaluation's `<id>@fold<i>` variants
// are not listed: they depend on the configured models and folds. Pure: no Node or `vscode` import.

export const STRATEGY_IDS = ['random', 'complexity', 'classifier', 'moe', 'rl', 'ensemble', 'carbon-aware', 'cost-aware', 'cascade', 'verified-cascade', 'fixed-cascade'] as const;
export type StrategyId = (typeof STRATEGY_IDS)[number];

export const DEFAULT_STRATEGY: StrategyId = 'cascade';

/** One line per strategy, as the Settings editor shows it. */
export const STRATEGY_DESCRIPTIONS: Readonly<Record<StrategyId, string>> = {
  random: 'A random available model (a baseline).',
  complexity: 'Picks the model size from hand-written features of the request (length, nesting, keywords).',
  classifier: 'A learned classifier predicts the smallest model likely to pass.',
  moe: 'A learned gate mixes the predictions of per-model experts.',
  rl: 'A contextual bandit learning from outcome rewards, starting from the bundle\'s prior.',
  ensemble: 'Votes of the learned routers.',
  'carbon-aware': "Like classifier, weighted by the grid carbon intensity of each model's site.",
  'cost-aware': "Like classifier, weighted by each model's price.",
  cascade: 'The ladder fitted to this fleet, cheapest first; escalates when the extracted tests fail.',
  'verified-cascade':
    'Like cascade, and a cheap answer that passes the tests may also have to agree with a second model on inputs derived from the examples, where that paid off in training.',
  'fixed-cascade': 'Baseline: every model smallest to largest, escalating while the tests fail (nothing learned).',
};
