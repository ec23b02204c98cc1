/**
 * Speculative decoding's report (option `assistantModel`). The work itself is native:
 * binding/speculative/speculative_drafter.cc drafts with the assistant, and our whisper.cpp patch
 * speculative-decoding checks each draft in one batched decoder pass of the main model.
 */
import type { NativeSpeculativeStats } from './native';
import type { SpeculativeReport } from './types/transcript';

/** Stats of several native jobs (long-form windows and chunks) added up. */
export function addSpeculativeStats(
  a: NativeSpeculativeStats | undefined,
  b: NativeSpeculativeStats | undefined,
): NativeSpeculativeStats | undefined {
  if (!a || !b) return a ?? b;
  return {
    drafted: a.drafted + b.drafted,
    accepted: a.accepted + b.accepted,
    decoderPasses: a.decoderPasses + b.decoderPasses,
    assistantWindows: a.assistantWindows + b.assistantWindows,
    assistantEncoderRuns: a.assistantEncoderRuns + b.assistantEncoderRuns,
    assistantMs: a.assistantMs + b.assistantMs,
    exact: a.exact && b.exact,
  };
}

export function speculativeReport(stats: NativeSpeculativeStats | undefined, assistant: string, encoderShared: boolean): SpeculativeReport {
  const s = stats ?? { drafted: 0, accepted: 0, decoderPasses: 0, assistantWindows: 0, assistantEncoderRuns: 0, assistantMs: 0, exact: true };
  return {
    assistant,
    encoderShared,
    draftedTokens: s.drafted,
    acceptedTokens: s.accepted,
    acceptanceRate: s.drafted > 0 ? s.accepted / s.drafted : 0,
    decoderPasses: s.decoderPasses,
    decoderPassesSaved: s.accepted,
    assistantWindows: s.assistantWindows,
    assistantEncoderRuns: s.assistantEncoderRuns,
    assistantMs: s.assistantMs,
    exact: s.exact,
  };
}
