// Where "Start the Recorded Fleet" listens, and whether only it serves. Pure.
import type { ModelInfo } from '../shared/protocol';

/** The default fleet port (server/config/schema.ts DEFAULT_FLEET_PORT; not imported: the extension bundle stays free of daemon code). */
export const DEFAULT_FLEET_PORT = 8177;

/** The port a configuration file asked for (the local endpoint of a model that is down, other than
 * the machine-wide default 8177), else undefined: the window's fleet then takes a free port of its
 * own and the daemon is told where (ROUTERLLM_FLEET_URL). */
export function fleetPortFor(endpoints: (string | null)[]): number | undefined {
  for (const e of endpoints) {
    const m = e ? /^https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):(\d+)/.exec(e) : null;
    if (m && Number(m[1]) !== DEFAULT_FLEET_PORT) return Number(m[1]);
  }
  return undefined;
}

/** Whether only the recorded (demo) fleet serves: every model that answers is served from one of
 * the fleet's addresses (the window's own fleet, or the catalogue's default when no configuration
 * file names other servers). */
export function servesOnlyDemoFleet(models: Pick<ModelInfo, 'available' | 'endpoint'>[], fleetUrls: string[]): boolean {
  const origins = new Set(fleetUrls.map(originOf).filter((o): o is string => !!o));
  const serving = models.filter((m) => m.available && m.endpoint);
  return serving.length > 0 && serving.every((m) => origins.has(originOf(m.endpoint!) ?? ''));
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
