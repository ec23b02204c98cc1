/**
 * Speculative decoding's report (option `assistantModel`). The work itself is native:
 * binding/speculative_drafter.cc drafts with the assistant, and our whisper.cpp patch
 * speculative-decoding checks each draft in one batched decoder pass of the main model.
 */
import type { NativeSpeculativeStats } from './native';

export interface SpeculativeReport {
  /** The assistant's model type, e.g. `'distil-medium.en'`. */
  assistant: string;
  /**
   * `true` when the two encoders hold the same weights and the assistant decoded from this
   * model's encoder output (the encoder ran once per window); `false` when the assistant
   * ran its own encoder on each window.
   */
  encoderShared: boolean;
  /** Draft tokens the main model checked. */
  draftedTokens: number;
  /** Of those, the tokens the main model produced itself too. */
  acceptedTokens: number;
  /** `acceptedTokens / draftedTokens`; `0` when nothing was drafted. */
  acceptanceRate: number;
  /** Decoder passes the main model ran after each window's prompt. */
  decoderPasses: number;
  /** Decoder passes it did not need: one per accepted token. */
  decoderPassesSaved: number;
  /** Windows the assistant was prepared for (its cross-attention, or its own encoder pass). */
  assistantWindows: number;
  /**
   * Encoder passes the assistant ran, as whisper.cpp counts them on its state: `0` when the
   * encoder is shared, one per window otherwise. (`timings.encoderRuns` counts the main model's.)
   */
  assistantEncoderRuns: number;
  /** Milliseconds spent in the assistant: drafting, and preparing each window. */
  assistantMs: number;
  /**
   * `true` when the main model's checks were computed bit for bit as its one-token passes
   * (CPU backend with flash attention, our patch batch-invariant-decoding): the output is
   * then exactly what the main model gives alone. `false` on GPU backends, without flash
   * attention, or with weights in AMX/KleidiAI buffers, where batched arithmetic rounds
   * differently and a near-tie between two tokens may resolve the other way.
   */
  exact: boolean;
}

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
