// The recorded fleet's GPUs as a power meter would see them, independent of the catalogue's
// J/token figures: each GPU draws idle power plus a load that depends on the phase it is in, and
// the reading carries measurement noise. A request's energy is power x its modelled time:
//   prefill (time to first token): compute-bound, near full load;
//   decode (the rest):              memory-bound at small batch, about half load;
//   reading = energy x (1 + noise), noise ~ N(0, NOISE_SD) from a seeded stream.
// So the fleet's DCGM counter is a measurement in the sense that matters for testing: it is not
// the token estimate restated, and a test can tell which of the two a figure is.
// H100 SXM figures: 700 W board limit; ~75 W idle (NVIDIA's data-center GPU telemetry shows 60-90 W
// for an idle H100 with the driver loaded). Phase loads are assumptions, stated as such.
import type { ModelConfig } from '../config/schema';
import { mulberry32 } from '../routing/rng';

export const IDLE_W = 75;
export const MAX_W = 700;
/** Share of the idle-to-max span drawn in each phase (assumed, not measured). */
export const PREFILL_LOAD = 0.9;
export const DECODE_LOAD = 0.45;
export const NOISE_SD = 0.03;

export interface PowerSample {
  /** Joules per GPU over the request. */
  energyJPerGpu: number;
  /** Mean power per GPU over the request, W. */
  powerW: number;
  /** Mean utilization over the request, percent (DCGM_FI_DEV_GPU_UTIL's unit). */
  utilPct: number;
}

const powerAt = (load: number) => IDLE_W + (MAX_W - IDLE_W) * load;

export class FleetPowerModel {
  private readonly random: () => number;

  constructor(seed = 1) {
    this.random = mulberry32(seed);
  }

  /** Expected draw of one request (no noise): what a test compares the counter with. */
  static expected(ttftMs: number, totalMs: number): PowerSample {
    const prefillS = Math.max(0, Math.min(ttftMs, totalMs)) / 1000;
    const decodeS = Math.max(0, totalMs - ttftMs) / 1000;
    const seconds = prefillS + decodeS;
    const energyJPerGpu = powerAt(PREFILL_LOAD) * prefillS + powerAt(DECODE_LOAD) * decodeS;
    const util = seconds > 0 ? (100 * (PREFILL_LOAD * prefillS + DECODE_LOAD * decodeS)) / seconds : 0;
    return { energyJPerGpu, powerW: seconds > 0 ? energyJPerGpu / seconds : IDLE_W, utilPct: util };
  }

  /** One request's reading on each of the model's GPUs, with measurement noise. */
  sample(model: Pick<ModelConfig, 'gpu'>, ttftMs: number, totalMs: number): PowerSample[] {
    const base = FleetPowerModel.expected(ttftMs, totalMs);
    return Array.from({ length: model.gpu.count }, () => {
      const f = Math.max(0.5, 1 + NOISE_SD * this.gaussian());
      return { energyJPerGpu: base.energyJPerGpu * f, powerW: base.powerW * f, utilPct: base.utilPct };
    });
  }

  /** Box-Muller over the seeded stream. */
  private gaussian(): number {
    const u = Math.max(1e-12, this.random());
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random());
  }
}
