// carbon-aware: the budget rule of ./budget-aware.ts over predicted grams of CO2.
import type { PassModel } from '../pass-model';
import type { Strategy } from '../types';
import { budgetAwareStrategy } from './budget-aware';

export function carbonAwareStrategy(pass: PassModel): Strategy {
  return budgetAwareStrategy('carbon', pass);
}
