// Whether this daemon runs model-written code at the isolation the sandbox got on this machine.
// Below namespace isolation the program runs on the host's network and filesystem (as the daemon's
// user, or a throwaway uid); a shared daemon runs code that any client's model wrote, so by
// default it refuses, instead of quietly running it weaker. The decision is made once at start-up,
// logged, shown to the editor (listModels' `sandbox`), and said in every refused test report.
import type { SandboxStatus } from '../../shared/protocol';
import { hasNamespaces, type SandboxPlan } from './sandbox-setup';

export interface SandboxPolicyInput {
  plan: SandboxPlan;
  /** config `sandbox.requireNamespaces`; absent: required for a shared (ws) daemon only. */
  requireNamespaces: boolean | undefined;
  shared: boolean;
}

export function sandboxStatus({ plan, requireNamespaces, shared }: SandboxPolicyInput): SandboxStatus {
  const required = requireNamespaces ?? shared;
  const base = { mode: plan.mode, isolation: plan.isolation, namespacesRequired: required };
  if (!required || hasNamespaces(plan.mode)) return { ...base, testsAllowed: true };
  return {
    ...base,
    testsAllowed: false,
    reason:
      `this ${shared ? 'shared ' : ''}daemon requires namespace isolation for model-written code, but the sandbox ` +
      `only has '${plan.mode}' here (${plan.isolation}), so the code could ${reach(plan)}, write outside its ` +
      `directory or open sockets. Run the daemon as root with unshare (util-linux), or where unprivileged user namespaces are ` +
      `allowed; or accept the weaker isolation with "sandbox": { "requireNamespaces": false } in the daemon's config.`,
  };
}

/** What code below namespace isolation can read. */
function reach(plan: SandboxPlan): string {
  if (plan.switchesUid) return 'read every world-readable file (its uid is a fresh one)';
  return "read the daemon user's files and the daemon's environment (/proc/<pid>/environ: the shared token included)";
}

/** The start-up log line. */
export function describeSandboxStatus(s: SandboxStatus): string {
  return `sandbox: ${s.mode} (${s.isolation}); ${s.testsAllowed ? 'tests run' : 'tests REFUSED: namespaces required (sandbox.requireNamespaces)'}`;
}
