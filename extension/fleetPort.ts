// Where "Start the Recorded Fleet" listens: where the daemon expects its servers. Pure.

/** The default fleet port (server/config/schema.ts DEFAULT_FLEET_PORT; not imported: the extension bundle stays free of daemon code). */
export const DEFAULT_FLEET_PORT = 8177;

/** The local port of the first endpoint on this machine (a model that is down), else 8177. */
export function fleetPortFor(endpoints: (string | null)[]): number {
  for (const e of endpoints) {
    const m = e ? /^https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):(\d+)/.exec(e) : null;
    if (m) return Number(m[1]);
  }
  return DEFAULT_FLEET_PORT;
}
