#include "transcribe/transcribe_params.h"

#include <climits>
#include <limits>
#include <regex>
#include <cstdint>

#include "core/native_error.h"

namespace whisper_napi {
namespace {

constexpr int kMaxThreads = 64;
constexpr size_t kMaxPromptBytes = 4096;
// whisper.cpp keeps at most n_text_ctx/2 (224) prompt tokens; more is a caller's mistake.
constexpr size_t kMaxPromptTokens = 1024;

// Each reader leaves the default in place when the field is absent or undefined.
class OptionReader {
 public:
  explicit OptionReader(const Napi::Object& object) : object_(object) {}

  void Int(const char* key, int& out) const {
    Napi::Value v = Get(key);
    if (v.IsUndefined()) return;
    if (!v.IsNumber()) Throw(key, "a number");
    out = v.As<Napi::Number>().Int32Value();
  }
  void Uint32(const char* key, uint32_t& out) const {
    Napi::Value v = Get(key);
    if (v.IsUndefined()) return;
    if (!v.IsNumber()) Throw(key, "a number");
    const double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= 0 && d <= 4294967295.0) || d != static_cast<double>(static_cast<uint32_t>(d))) {
      Throw(key, "an integer from 0 to 4294967295");
    }
    out = static_cast<uint32_t>(d);
  }
  void Float(const char* key, float& out) const {
    Napi::Value v = Get(key);
    if (v.IsUndefined()) return;
    if (!v.IsNumber()) Throw(key, "a number");
    out = v.As<Napi::Number>().FloatValue();
  }
  void Bool(const char* key, bool& out) const {
    Napi::Value v = Get(key);
    if (v.IsUndefined()) return;
    if (!v.IsBoolean()) Throw(key, "a boolean");
    out = v.As<Napi::Boolean>().Value();
  }
  bool String(const char* key, std::string& out) const {
    Napi::Value v = Get(key);
    if (v.IsUndefined() || v.IsNull()) return false;
    if (!v.IsString()) Throw(key, "a string");
    out = v.As<Napi::String>().Utf8Value();
    return true;
  }

  // whisper.cpp trusts these values; some out-of-range ones make it index out of bounds
  // or loop forever. src/options.ts enforces the same ranges with friendlier messages.
  template <typename T>
  void Range(const char* key, T value, T lo, T hi) const {
    if (!(value >= lo && value <= hi)) {  // also false for NaN
      throw MakeRangeError(object_.Env(), std::string("native option '") + key + "' is out of range: " +
                                              std::to_string(value) + " not in [" + std::to_string(lo) + ", " +
                                              std::to_string(hi) + "]");
    }
  }

 private:
  Napi::Value Get(const char* key) const { return object_.Get(key); }
  [[noreturn]] void Throw(const char* key, const char* expected) const {
    throw MakeTypeError(object_.Env(), std::string("native option '") + key + "' must be " + expected);
  }

  Napi::Object object_;
};

}  // namespace

TranscribeParams TranscribeParams::FromJs(const Napi::Object& options) {
  OptionReader read(options);
  TranscribeParams p;

  std::string strategy = "greedy";
  read.String("strategy", strategy);
  if (strategy != "greedy" && strategy != "beam") {
    throw MakeTypeError(options.Env(), "native option 'strategy' must be 'greedy' or 'beam'");
  }
  p.params_ = whisper_full_default_params(strategy == "beam" ? WHISPER_SAMPLING_BEAM_SEARCH : WHISPER_SAMPLING_GREEDY);
  whisper_full_params& w = p.params_;

  // Never let whisper.cpp print to the host's stdout.
  w.print_progress = false;
  w.print_realtime = false;
  w.print_timestamps = false;
  w.print_special = false;

  read.Int("threads", w.n_threads);
  read.Int("maxTextContext", w.n_max_text_ctx);
  read.Int("offsetMs", w.offset_ms);
  read.Int("durationMs", w.duration_ms);
  read.Bool("translate", w.translate);
  read.Bool("noContext", w.no_context);
  read.Bool("noTimestamps", w.no_timestamps);
  read.Bool("singleSegment", w.single_segment);
  read.Bool("tokenTimestamps", w.token_timestamps);
  read.Float("tokenTimestampThreshold", w.thold_pt);
  read.Float("tokenTimestampSumThreshold", w.thold_ptsum);
  read.Int("maxSegmentLength", w.max_len);
  read.Bool("splitOnWord", w.split_on_word);
  read.Int("maxTokensPerSegment", w.max_tokens);
  read.Int("audioContext", w.audio_ctx);
  read.Bool("carryInitialPrompt", w.carry_initial_prompt);
  read.Bool("detectLanguage", w.detect_language);
  read.Bool("suppressBlank", w.suppress_blank);
  read.Bool("suppressNonSpeech", w.suppress_nst);
  read.Float("temperature", w.temperature);
  read.Float("maxInitialTimestamp", w.max_initial_ts);
  read.Float("lengthPenalty", w.length_penalty);
  read.Float("temperatureIncrement", w.temperature_inc);
  read.Float("entropyThreshold", w.entropy_thold);
  read.Float("logprobThreshold", w.logprob_thold);
  read.Float("noSpeechThreshold", w.no_speech_thold);
  read.Int("bestOf", w.greedy.best_of);
  read.Uint32("seed", p.seed_);
  read.Bool("windowContext", p.window_context_);
  read.Int("beamSize", w.beam_search.beam_size);
  read.Bool("tokenDetails", p.token_details_);
  read.Bool("vad", w.vad);
  read.String("vadModel", p.vad_model_);
  read.Float("vadThreshold", w.vad_params.threshold);
  read.Int("vadMinSpeechMs", w.vad_params.min_speech_duration_ms);
  read.Int("vadMinSilenceMs", w.vad_params.min_silence_duration_ms);
  read.Float("vadMaxSpeechSeconds", w.vad_params.max_speech_duration_s);
  read.Int("vadSpeechPadMs", w.vad_params.speech_pad_ms);
  read.Float("vadSamplesOverlap", w.vad_params.samples_overlap);

  if (!read.String("language", p.language_)) p.language_ = w.language ? w.language : "en";
  p.has_initial_prompt_ = read.String("initialPrompt", p.initial_prompt_);
  p.has_suppress_regex_ = read.String("suppressRegex", p.suppress_regex_);
  if (p.has_suppress_regex_) {
    // whisper.cpp compiles it with std::regex inside whisper_full; JS accepts patterns that
    // std::regex's ECMAScript grammar does not (lookbehind, named groups, \u{...}).
    try {
      std::regex compiled(p.suppress_regex_);
    } catch (const std::regex_error& e) {
      throw MakeError(options.Env(), ErrorCode::InvalidOption,
                      "transcribe option 'suppressRegex' is not a regular expression whisper.cpp's std::regex accepts: " + std::string(e.what()));
    }
  }

  read.Range("threads", w.n_threads, 1, kMaxThreads);
  read.Range("offsetMs", w.offset_ms, 0, INT32_MAX);
  read.Range("durationMs", w.duration_ms, 0, INT32_MAX);
  read.Range("maxTextContext", w.n_max_text_ctx, 0, INT32_MAX);
  read.Range("audioContext", w.audio_ctx, 0, 1500);
  read.Range("maxSegmentLength", w.max_len, 0, INT32_MAX);
  read.Range("maxTokensPerSegment", w.max_tokens, 0, INT32_MAX);
  // More than WHISPER_MAX_DECODERS (8) decoders is an error inside whisper_full.
  read.Range("bestOf", w.greedy.best_of, 1, 8);
  if (strategy == "beam") read.Range("beamSize", w.beam_search.beam_size, 1, 8);
  // The fallback loop runs from temperature to 1 in steps of the increment: above 1 it
  // never runs (whisper.cpp then reads an unset decoder), and a tiny step never ends.
  read.Range("temperature", w.temperature, 0.0f, 1.0f);
  if (w.temperature_inc != 0.0f) read.Range("temperatureIncrement", w.temperature_inc, 0.01f, 1.0f);
  read.Range("maxInitialTimestamp", w.max_initial_ts, 0.0f, 30.0f);
  read.Range("tokenTimestampThreshold", w.thold_pt, 0.0f, 1.0f);
  read.Range("tokenTimestampSumThreshold", w.thold_ptsum, 0.0f, 1.0f);
  read.Range("lengthPenalty", w.length_penalty, -1.0f, 10.0f);
  read.Range("entropyThreshold", w.entropy_thold, -1e6f, 1e6f);
  read.Range("logprobThreshold", w.logprob_thold, -1e6f, 1e6f);
  read.Range("noSpeechThreshold", w.no_speech_thold, 0.0f, 1.0f);
  // whisper.cpp tokenizes the prompt with std::regex, which recurses per character of a
  // word; only the last ~223 tokens are used anyway.
  read.Range("initialPrompt length", p.initial_prompt_.size(), size_t(0), kMaxPromptBytes);
  read.Range("language length", p.language_.size(), size_t(1), size_t(8));
  if (w.vad && p.vad_model_.empty()) {
    throw MakeTypeError(options.Env(), "native option 'vad' needs 'vadModel', the path of a Silero VAD model");
  }
  read.Range("vadThreshold", w.vad_params.threshold, 0.0f, 1.0f);
  // whisper.cpp multiplies these by the sample rate in an int: keep them under 2^31/16000.
  read.Range("vadMinSpeechMs", w.vad_params.min_speech_duration_ms, 0, 120000);
  read.Range("vadMinSilenceMs", w.vad_params.min_silence_duration_ms, 0, 120000);
  read.Range("vadMaxSpeechSeconds", w.vad_params.max_speech_duration_s, 0.1f, std::numeric_limits<float>::max());
  read.Range("vadSpeechPadMs", w.vad_params.speech_pad_ms, 0, 60000);
  read.Range("vadSamplesOverlap", w.vad_params.samples_overlap, 0.0f, 10.0f);
  return p;
}

whisper_full_params TranscribeParams::ToWhisper() const {
  whisper_full_params w = params_;
  w.language = language_.c_str();
  w.initial_prompt = has_initial_prompt_ ? initial_prompt_.c_str() : nullptr;
  if (!prompt_tokens_.empty()) {
    // whisper.cpp uses these instead of tokenizing initial_prompt.
    w.prompt_tokens = prompt_tokens_.data();
    w.prompt_n_tokens = static_cast<int>(prompt_tokens_.size());
  }
  w.suppress_regex = has_suppress_regex_ ? suppress_regex_.c_str() : nullptr;
  w.vad_model_path = vad_model_.empty() ? nullptr : vad_model_.c_str();
  return w;
}

}  // namespace whisper_napi
