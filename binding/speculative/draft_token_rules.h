// The assistant's greedy choice under whisper.cpp's own rules for the next token
// (whisper_process_logits in whisper.cpp 1.9.1, greedy, default parameters): a draft the
// main model's sampler would forbid is a draft it rejects. Only acceptance depends on this:
// the main model verifies every drafted token itself.
#pragma once

#include <vector>

#include "whisper.h"

namespace whisper_napi {

struct DraftTokenRules {
  whisper_token eot;
  whisper_token timestamp_begin;  // <|0.00|>
  int n_vocab;
  whisper_token blank;            // " ", suppressed at the start of a window (suppress_blank)
  int max_initial_timestamp;      // in timestamp tokens after <|0.00|> (max_initial_ts 1 s)

  static DraftTokenRules For(whisper_context* ctx);

  // `sampled`: the window's tokens after the prompt (the main model's, then the draft so far).
  whisper_token Pick(const float* logits, bool timestamps, const std::vector<whisper_token>& sampled) const;
};

}  // namespace whisper_napi
