// What the sandbox tests share: forcing an isolation level for one test.
import { resetSandboxPlan, sandboxPlan, type SandboxMode } from '../../server/checks/sandbox-setup';

export const rand = () => Math.random().toString(36).slice(2, 8);
export const isRoot = process.getuid?.() === 0;

/** Forces `mode` for the duration of `fn`; null when this machine cannot run it. */
export async function atLevel<T>(mode: SandboxMode, fn: () => Promise<T>): Promise<T | null> {
  const before = process.env.ROUTERLLM_SANDBOX;
  process.env.ROUTERLLM_SANDBOX = mode;
  resetSandboxPlan();
  try {
    if (sandboxPlan().mode !== mode) return null;
    return await fn();
  } finally {
    if (before === undefined) delete process.env.ROUTERLLM_SANDBOX;
    else process.env.ROUTERLLM_SANDBOX = before;
    resetSandboxPlan();
  }
}
