#include "speculative/draft_token_rules.h"

#include <cmath>
#include <limits>

namespace whisper_napi {

DraftTokenRules DraftTokenRules::For(whisper_context* ctx) {
  whisper_token space[4];
  const int n = whisper_tokenize(ctx, " ", space, 4);
  return DraftTokenRules{whisper_token_eot(ctx), whisper_token_beg(ctx), whisper_n_vocab(ctx), n == 1 ? space[0] : -1, 50};
}

whisper_token DraftTokenRules::Pick(const float* logits, bool timestamps, const std::vector<whisper_token>& sampled) const {
  const int n = static_cast<int>(sampled.size());
  // Text tokens and end-of-text are [0, eot]; other special tokens never follow in a transcript.
  bool text_allowed = true;
  bool eot_allowed = n > 0;  // suppress_blank
  bool timestamps_allowed = timestamps;
  whisper_token earliest_timestamp = timestamp_begin;
  whisper_token latest_timestamp = timestamp_begin + 1500;
  if (timestamps) {
    const bool last_was_timestamp = n > 0 && sampled[n - 1] >= timestamp_begin;
    const bool penultimate_was_timestamp = n < 2 || sampled[n - 2] >= timestamp_begin;
    if (last_was_timestamp) {
      // Timestamps come in pairs, except at the start; a closed pair is followed by text.
      if (penultimate_was_timestamp) {
        timestamps_allowed = false;
      } else {
        text_allowed = false;
      }
    }
    // Timestamps never go back: none before the last one sampled.
    for (int i = n - 1; i >= 0; --i) {
      if (sampled[i] >= timestamp_begin) {
        earliest_timestamp = sampled[i];
        break;
      }
    }
    // The first timestamp is at most max_initial_ts into the window.
    if (n == 0) latest_timestamp = timestamp_begin + max_initial_timestamp;
  }
  const auto allowed = [&](whisper_token t) {
    if (t >= timestamp_begin) return timestamps_allowed && t >= earliest_timestamp && t <= latest_timestamp && t < n_vocab;
    if (t == eot) return eot_allowed;
    if (t > eot) return false;
    return text_allowed && !(n == 0 && t == blank);
  };

  // Best text token (or end-of-text) and best timestamp, and the softmax mass of each group.
  const float kNone = -std::numeric_limits<float>::infinity();
  whisper_token best_text = -1;
  whisper_token best_timestamp = -1;
  float max_logit = kNone;
  for (whisper_token t = 0; t < n_vocab; ++t) {
    if (!allowed(t)) continue;
    max_logit = std::max(max_logit, logits[t]);
    whisper_token& best = t >= timestamp_begin ? best_timestamp : best_text;
    if (best < 0 || logits[t] > logits[best]) best = t;
  }
  if (best_timestamp < 0) return best_text < 0 ? eot : best_text;
  if (best_text < 0) return best_timestamp;
  // If the timestamps together are more likely than any single text token, the sampler
  // takes a timestamp (whisper.cpp, as OpenAI's Whisper).
  double timestamp_mass = 0;
  for (whisper_token t = timestamp_begin; t < n_vocab; ++t) {
    if (allowed(t)) timestamp_mass += std::exp(static_cast<double>(logits[t]) - max_logit);
  }
  const double best_text_mass = std::exp(static_cast<double>(logits[best_text]) - max_logit);
  if (timestamp_mass > best_text_mass) return best_timestamp;
  return logits[best_text] >= logits[best_timestamp] ? best_text : best_timestamp;
}

}  // namespace whisper_napi
