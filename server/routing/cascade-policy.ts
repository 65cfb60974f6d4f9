// What a fitted cascade is, as a bundle stores it and the cascade strategy reads it (the fit that
// chooses one is server/fit/cascade-fit.ts).
import type { AcceptancePolicy } from './acceptance';

export interface CascadePolicy {
  /** Model ids, cheapest first. */
  ladder: string[];
  /** Rungs whose passing answer is accepted only when another passing answer agrees with it on
   * the derived inputs (server/verify); absent or empty: the extracted tests alone decide. */
  confirm?: string[];
  /** Learned acceptance (routing/acceptance.ts, fitted by fit/acceptance-fit.ts): a passing answer
   * it doubts is escalated past; absent in bundles trained before it existed. */
  acceptance?: AcceptancePolicy;
  /** The model that answers a request without tests. */
  noTests: string;
  /** The exchange rate of the chosen rule (null: the efficient ladder, which has none). */
  lambda: number | null;
  /** The chosen rule: 'efficient' or 'lambda <x>'. */
  rule: string;
  /** How the policy was chosen, for the model card and explanations. */
  how: string;
  /** Simulated on the training tasks (in-sample to them). */
  training: { passRate: number; energyShare: number; plainPassRate: number; plainEnergyShare: number };
}
