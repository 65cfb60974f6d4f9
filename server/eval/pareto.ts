// The quality-against-energy Pareto front: the strategies no other strategy beats on both axes.

export interface ParetoItem {
  strategy: string;
  /** Quality, higher is better (pass@1). */
  quality: number;
  /** Cost, lower is better (energy in Wh). */
  energy: number;
}

/** True when `a` dominates `b`: no worse on both axes and strictly better on one. */
export function dominates(a: ParetoItem, b: ParetoItem): boolean {
  return a.quality >= b.quality && a.energy <= b.energy && (a.quality > b.quality || a.energy < b.energy);
}

/** The non-dominated items, cheapest first (ties by strategy name, so the order is stable).
 * Two items with the same quality and energy both stay: neither dominates the other. */
export function paretoFront<T extends ParetoItem>(items: readonly T[]): T[] {
  return items
    .filter((b) => !items.some((a) => a !== b && dominates(a, b)))
    .sort((x, y) => x.energy - y.energy || y.quality - x.quality || x.strategy.localeCompare(y.strategy));
}
