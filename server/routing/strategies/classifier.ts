// Learned router: the classifier's P(pass) per model (ONNX, models/router-classifier.onnx), then
// the cheapest model (lowest energy per output token) with P >= threshold, else the highest P.
import type { RouteInput, Strategy } from '../types';
import type { PassModel } from '../pass-model';
import { thresholdChoice } from './common';

export function classifierStrategy(pass: PassModel, threshold: number): Strategy {
  return {
    id: 'classifier',
    description: `learned P(pass) per model; lowest-energy model with P >= ${threshold}`,
    async choose(input: RouteInput) {
      const est = await pass.estimate(input);
      return thresholdChoice('classifier', input.candidates, est.probs, threshold, false, est.source);
    },
  };
}
