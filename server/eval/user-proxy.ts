// The simulated user of the live evaluations: a PROXY for a person, stated as such in every
// report. It accepts an answer iff the answer passes the task's hidden tests and (ghost text) its
// model time is within the latency budget: a suggestion that arrives later has been typed over.
// It never sees anything a user could not (the model name, the router's explanation).
export const USER_PROXY_RULE =
  'Simulated user (a proxy, not a person): accepts an answer iff it passes the hidden tests and, for ghost text, its model time is within the latency budget; otherwise rejects it. The verdict goes back to the daemon as feedback over the protocol.';

export interface ProxyVerdict {
  accepted: boolean;
  withinBudget: boolean;
}

/** `budgetMs` null: no latency condition (implement answers are waited for). */
export function simulatedUser(passedHiddenTests: boolean, modelMs: number | null, budgetMs: number | null): ProxyVerdict {
  const withinBudget = budgetMs === null || (modelMs !== null && modelMs <= budgetMs);
  return { accepted: passedHiddenTests && withinBudget, withinBudget };
}
