// The assistant's side of speculative decoding (patch speculative-decoding).
//
// whisper.cpp, decoding with the main model, asks before each decoder pass for up to n
// tokens to follow its current context. The drafter decodes them greedily with the
// assistant model on the assistant's own state: the assistant's KV cache follows the main
// model's context (only what changed is decoded again), and its cross-attention is computed
// once per window from the main model's encoder output, or, when the two encoders' weights
// differ, from the assistant's own encoder run on the same mel window. Whatever it proposes,
// whisper.cpp keeps only what the main model would have produced itself.
//
// How many tokens to propose follows the recent acceptance rate a (a moving average over
// proposals): one more than the mean agreeing run, a / (1 - a), from 1 up to 15. When a
// falls below 0.1, drafting pauses for 8 decoder steps, then probes with one token; each
// further miss doubles the pause (up to 128), so a useless assistant costs almost nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "speculative/draft_token_rules.h"
#include "model/loaded_model.h"
#include "core/patched_whisper.h"
#include "core/whisper_handles.h"

namespace whisper_napi {

struct SpeculativeStats {
  int64_t drafted = 0;          // draft tokens checked by the main model
  int64_t accepted = 0;         // of which the main model produced the same token (each saves a pass)
  int64_t decoder_passes = 0;   // decoder passes of the main model after the prompt
  int64_t assistant_windows = 0;  // windows the assistant was prepared for (one cross-attention or encoder pass each)
  int64_t assistant_encoder_passes = 0;  // encoder passes on the assistant's state (whisper.cpp's count): 0 when shared
  double assistant_ms = 0;      // time spent in the assistant (drafting and preparing)
  // The verification passes compute exactly what one-token passes compute (CPU backend
  // with flash attention: patch batch-invariant-decoding), so the output is the main
  // model's own bit for bit; elsewhere it may differ where the main model sees a near-tie.
  bool exact = false;
};

class SpeculativeDrafter {
 public:
  // `threads`: for the assistant's passes (the main model's thread count: they alternate).
  SpeculativeDrafter(std::shared_ptr<LoadedModel> assistant, WhisperStatePtr state, bool share_encoder, int threads,
                     ggml_abort_callback abort_callback, void* abort_callback_data);
  ~SpeculativeDrafter();
  SpeculativeDrafter(const SpeculativeDrafter&) = delete;
  SpeculativeDrafter& operator=(const SpeculativeDrafter&) = delete;

  // Starts drafting for `main_state`'s whisper_full run; Detach (or the destructor) stops.
  void Attach(whisper_context* main_context, whisper_state* main_state);
  void Detach();
  // The main state was freed by whisper.cpp itself: nothing to detach from.
  void Forget() { main_state_ = nullptr; }
  // The main model is about to encode a new window: the assistant's cross-attention is stale.
  void OnEncoderBegin() { stale_ = true; }

  SpeculativeStats stats() const;

 private:
  static int DraftCallback(const whisper_token* tokens, int n_tokens, int n_prompt, int n_accepted, whisper_token* draft,
                           int n_max, void* self);
  int Draft(const whisper_token* tokens, int n_tokens, int n_prompt, whisper_token* draft, int n_max);
  void Account(int n_accepted);
  int NextLength();
  bool PrepareWindow();

  std::shared_ptr<LoadedModel> assistant_;
  WhisperStatePtr state_;
  bool share_encoder_;
  int threads_;
  ggml_abort_callback abort_callback_;
  void* abort_callback_data_;
  whisper_state* main_state_ = nullptr;

  bool stale_ = true;          // a window is encoded whose cross-attention the assistant lacks
  bool window_failed_ = false; // preparing this window failed: no drafts until the next
  std::vector<whisper_token> cached_;  // the tokens in the assistant's KV cache, in order
  DraftTokenRules rules_;
  int last_proposal_ = 0;      // tokens proposed last time, awaiting their outcome
  double acceptance_ = 0.75;   // recent acceptance rate (a start that proposes 4 tokens)
  int proposals_seen_ = 0;
  int pause_steps_ = 0;        // decoder steps left without drafting
  int pause_length_ = 8;       // the next pause's length (doubles up to 128)
  int encoder_passes_at_start_ = 0;
  SpeculativeStats stats_;
};

}  // namespace whisper_napi
