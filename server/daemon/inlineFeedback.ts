// The user's verdict on a ghost-text suggestion teaches the inline policy's acceptance tallies (per
// model, language and context), from the decision the feedback pipeline kept (feedback.ts); the
// strategy that chose the model and the online pass model learn the same verdict beside it
// (learning.ts). Persisted at once, like the rest of what feedback teaches: a restarted daemon
// does not replay the events it applied before.
import type { FeedbackKind } from '../../shared/protocol';
import type { AcceptanceModel } from '../routing/inline/acceptance';
import { acceptedShare, inlineContextOf } from '../routing/inline/acceptance';
import type { RequestContext } from '../routing/types';

export function teachInlinePolicy(
  acceptance: AcceptanceModel,
  decided: { request: Pick<RequestContext, 'language' | 'functionName' | 'prompt'>; model: string },
  kind: FeedbackKind,
  editRatio: number | null,
): void {
  acceptance.record(decided.model, decided.request.language, inlineContextOf(decided.request), acceptedShare(kind, editRatio ?? undefined));
  acceptance.persist();
}
