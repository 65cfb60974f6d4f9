// The user's verdict on a ghost-text suggestion teaches the router: the inline policy's acceptance
// tallies (per model, language and context) and, through Strategy.learn() with `feedback` set,
// the strategy that chose the model. Called by the daemon's feedback handler; a request that is
// not a remembered inline one (an implement answer, an old or unknown id) teaches nothing here.
import type { FeedbackKind } from '../../shared/protocol';
import type { Services } from './services';

export function teachFromInlineFeedback(services: Services, requestId: string, kind: FeedbackKind, editRatio?: number): boolean {
  const lesson = services.inlinePolicy.feedback(requestId, kind, editRatio);
  if (!lesson) return false;
  services.learn(lesson.strategy, lesson.outcome);
  return true;
}
