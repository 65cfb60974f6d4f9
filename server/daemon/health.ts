// Periodic health of each model server from GET /v1/models. Routing skips a model whose server
// answered unhealthy at the last check; until the first check answers, a model counts as up (the
// call's own fallback covers a server that is down).
import type { ModelConfig } from '../config/schema';
import type { ModelClient } from '../client';

export class HealthMonitor {
  private readonly down = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners: ((model: string, healthy: boolean, reason?: string) => void)[] = [];

  constructor(
    private readonly client: ModelClient,
    private readonly models: ModelConfig[],
    private readonly log: (line: string) => void,
    intervalMs: number,
  ) {
    if (intervalMs > 0) {
      void this.checkAll();
      this.timer = setInterval(() => void this.checkAll(), intervalMs);
      this.timer.unref();
    }
  }

  onChange(listener: (model: string, healthy: boolean, reason?: string) => void): void {
    this.listeners.push(listener);
  }

  downReason(model: ModelConfig): string | undefined {
    return this.down.get(model.id);
  }

  async checkAll(): Promise<void> {
    await Promise.all(
      this.models
        .filter((m) => m.enabled && m.endpoint)
        .map(async (m) => {
          const h = await this.client.health(m).catch((e: Error) => ({ healthy: false, reason: e.message }));
          const was = this.down.has(m.id);
          if (h.healthy) this.down.delete(m.id);
          else this.down.set(m.id, `server unhealthy: ${h.reason ?? 'no answer from /v1/models'}`);
          if (was === !h.healthy) return;
          this.log(`${m.id}: ${h.healthy ? 'healthy again' : this.down.get(m.id)}`);
          for (const l of this.listeners) l(m.id, h.healthy, this.down.get(m.id));
        }),
    );
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
