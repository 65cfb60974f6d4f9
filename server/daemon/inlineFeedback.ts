// The user's verdict on a ghost-text suggestion teaches the inline policy's acceptance tallies (per
// model, language and context). The strategy that chose the model and the online pass model learn
// the same verdict through the daemon's live learning (learning.ts, services.learnFeedback), as
// for implement answers. A request that is not a remembered inline one teaches nothing here.
import type { FeedbackKind } from '../../shared/protocol';
import type { Services } from './services';

export function teachInlinePolicy(services: Services, requestId: string, kind: FeedbackKind, editRatio?: number): boolean {
  return services.inlinePolicy.feedback(requestId, kind, editRatio) !== null;
}
