// How tasks are split into folds for held-out scoring and fold bundles.
import { mulberry32, shuffled } from '../routing/rng';

/** k folds by task: the task ids shuffled with `seed`, fold = position mod k. */
export function foldsByTask(taskIds: readonly string[], k: number, seed: number): Map<string, number> {
  const order = shuffled(taskIds, mulberry32(seed));
  return new Map(order.map((id, i) => [id, i % k]));
}
