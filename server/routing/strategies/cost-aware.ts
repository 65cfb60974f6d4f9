// cost-aware: the budget rule of ./budget-aware.ts over predicted USD.
import type { PassModel } from '../pass-model';
import type { Strategy } from '../types';
import { budgetAwareStrategy } from './budget-aware';

export function costAwareStrategy(pass: PassModel): Strategy {
  return budgetAwareStrategy('cost', pass);
}
