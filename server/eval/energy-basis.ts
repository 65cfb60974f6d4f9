// How the evaluation's energy figures were obtained, stated in the report: each model call's
// footprint says whether its joules were measured from a DCGM counter or modelled from tokens
// (Footprint.energyMethod / energyBasis), and the report counts both.
import type { Answer } from './runner';

export function energyNote(answers: Iterable<readonly Answer[]>): string {
  let measured = 0;
  let modelled = 0;
  for (const list of answers)
    for (const a of list)
      for (const call of a.result?.attempts ?? []) {
        if (call.footprint.energyMethod === 'measured-dcgm') measured++;
        else modelled++;
      }
  const total = measured + modelled;
  if (total === 0) return 'Energy: no model call was answered.';
  if (measured === 0) return `Energy is modelled, not measured: every one of the ${total} model calls is priced as prompt tokens x J/prompt token + output tokens x J/output token, with the catalogue's figures and their sources (each call's footprint.energyBasis in the answers; config/catalogue.ts).`;
  return `Energy: ${measured} of ${total} model calls measured from a DCGM counter (DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION, attributed by tokens among the calls in flight), ${modelled} modelled as tokens x J/token (catalogue figures and sources).`;
}
