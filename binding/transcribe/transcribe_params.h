// The native side of transcription options: a plain JS object (already validated and
// given defaults by src/options/) read into whisper_full_params. Only values that would make
// whisper.cpp unsafe are refused here (transcribe_params.cc). This struct owns every
// string that whisper_full_params points to, so the pointers stay valid on the worker thread.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "whisper.h"

namespace whisper_napi {

class TranscribeParams {
 public:
  // Reads the options object; throws a JS TypeError for a field of the wrong type.
  static TranscribeParams FromJs(const Napi::Object& options);

  // Valid as long as this object lives; callbacks are left for the caller to set.
  whisper_full_params ToWhisper() const;

  bool token_details() const { return token_details_; }
  // Seeds the samplers of each whisper_full call (patch sampler-seed), so that sampled
  // windows (temperature fallback, beam search's candidates) do not depend on earlier jobs.
  uint32_t seed() const { return seed_; }
  // Whether each window is conditioned on the text decoded before it in this job (patch
  // independent-windows); false for the noContext option.
  bool window_context() const { return window_context_; }
  // Repetitions of a phrase that end a search whose decoders all loop (patch loop-stop); 0: off.
  int loop_repeats() const { return loop_repeats_; }
  // Whether the decoder's attention uses the CPU backend's grouped kernel (patch
  // grouped-decoder-attention): faster beam search, results not bit-identical to upstream's.
  bool grouped_attention() const { return grouped_attention_; }
  // Text tokens of the previous window, for the decoder's context (src/long-form/).
  const std::vector<whisper_token>& prompt_tokens() const { return prompt_tokens_; }
  // Voice activity detection with whisper.cpp's Silero VAD, and its model file.
  bool vad() const { return params_.vad; }
  const std::string& vad_model() const { return vad_model_; }
  // True when whisper.cpp detects the language (language "auto").
  bool detects_language() const { return language_ == "auto"; }
  // True when whisper_full resets everything a previous job left in a state (no carried
  // text context, no language detection, no VAD, whose context and timestamp mapping stay
  // in the state), so a pooled state may be used and returned.
  bool clears_state() const { return params_.no_context && !detects_language() && !params_.vad; }

 private:
  whisper_full_params params_{};
  std::string language_;
  std::string initial_prompt_;
  std::string suppress_regex_;
  std::string vad_model_;
  std::vector<whisper_token> prompt_tokens_;
  bool has_initial_prompt_ = false;
  bool has_suppress_regex_ = false;
  bool token_details_ = false;
  uint32_t seed_ = 0;
  bool window_context_ = true;
  int loop_repeats_ = 0;
  bool grouped_attention_ = false;
};

}  // namespace whisper_napi
