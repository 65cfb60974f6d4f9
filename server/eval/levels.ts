// The budget level's price and saving for the default strategy: the same tasks routed by the same
// (held-out) strategy through daemons configured at each level, scored like every other row. The
// run at the configuration's own level is the main one; the other levels are extra runs labelled
// "<strategy> [<level>]", kept out of the strategy table (they are the same router, budgeted).
import type { BudgetLevel } from '../../shared/protocol';
import type { PlannedStrategy } from './runner';
import type { BudgetLevels, LevelRow, StrategyRow } from './types';
export type { BudgetLevels, LevelRow };

export const LEVELS: readonly BudgetLevel[] = ['aggressive', 'balanced', 'relaxed'];



export const levelLabel = (strategy: string, level: BudgetLevel) => `${strategy} [${level}]`;

/** The extra runs: the default strategy's planned run at every level but the configured one. */
export function planLevels(main: PlannedStrategy, configured: BudgetLevel, budgets: Record<string, unknown>): PlannedStrategy[] {
  return LEVELS.filter((l) => l !== configured).map((level) => ({ ...main, strategy: levelLabel(main.strategy, level), router: main.strategy, config: { budgets: { ...budgets, level } } }));
}

/** The table, from the summary rows of the main run and the extra ones. */
export function levelTable(strategy: string, configured: BudgetLevel, rowOf: (label: string) => Pick<StrategyRow, 'pass_at_1' | 'energy_wh' | 'co2_g'>): BudgetLevels {
  const main = rowOf(strategy);
  const rows = LEVELS.map((level) => {
    const r = level === configured ? main : rowOf(levelLabel(strategy, level));
    return { level, pass_at_1: r.pass_at_1, energy_wh: r.energy_wh, co2_g: r.co2_g, energy_share: main.energy_wh > 0 ? r.energy_wh / main.energy_wh : null };
  });
  return {
    strategy,
    rows,
    note: `${strategy} at each budget level (the ${configured} row is the main run). The level acts through the budget layer over every strategy: aggressive considers only models predicted within 3x the cheapest one's CO2; balanced and relaxed consider all (they differ once a configured budget is spent: balanced downgrades or refuses, relaxed only warns).`,
  };
}

/** The table's rows as text cells: level, pass@1 %, energy Wh, CO2 g, energy vs the main run. */
export function levelCells(r: LevelRow): string[] {
  return [r.level, (r.pass_at_1 * 100).toFixed(1), r.energy_wh.toFixed(3), r.co2_g.toFixed(2), r.energy_share === null ? '-' : `${(r.energy_share * 100).toFixed(1)}%`];
}
export const LEVEL_COLUMNS = ['level', 'pass@1', 'energy Wh', 'CO2 g', 'E/main'];
