#include "transcribe/transcribe_params.h"

#include <climits>
#include <limits>
#include <regex>
#include <cstdint>

#include "core/native_error.h"
#include "ggml.h"

namespace whisper_napi {
namespace {

// whisper.cpp tokenizes the prompt with std::regex, which recurses per character of a
// word: a long enough prompt overflows the stack. (src/options/ allows far less.)
constexpr size_t kMaxPromptBytes = 4096;
// Far above any model's text context (448 tokens); model.cc checks each id.
constexpr size_t kMaxPromptTokens = 4096;

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

  // whisper.cpp trusts these values, and some make it read or write out of bounds, overflow,
  // exhaust memory or never finish. Only those are refused here, each with the reason;
  // the documented limits and defaults of options are src/options/'s (table.ts).
  template <typename T>
  void Range(const char* key, T value, T lo, T hi, const char* why) const {
    if (!(value >= lo && value <= hi)) {  // also false for NaN
      const std::string bounds = hi == std::numeric_limits<T>::max() ? "not at least " + std::to_string(lo)
                                                                       : "not in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
      throw MakeRangeError(object_.Env(), std::string("native option '") + key + "' is out of range: " + std::to_string(value) + " " +
                                              bounds + " (" + why + ")");
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
  read.Int("offsetMs", w.offset_ms);
  read.Int("durationMs", w.duration_ms);
  read.Bool("translate", w.translate);
  read.Bool("noTimestamps", w.no_timestamps);
  read.Bool("singleSegment", w.single_segment);
  read.Bool("tokenTimestamps", w.token_timestamps);
  read.Int("maxSegmentLength", w.max_len);
  read.Bool("splitOnWord", w.split_on_word);
  read.Int("maxTokensPerSegment", w.max_tokens);
  read.Int("audioContext", w.audio_ctx);
  read.Bool("carryInitialPrompt", w.carry_initial_prompt);
  read.Bool("suppressBlank", w.suppress_blank);
  read.Bool("suppressNonSpeech", w.suppress_nst);
  read.Float("temperature", w.temperature);
  read.Float("temperatureIncrement", w.temperature_inc);
  read.Float("entropyThreshold", w.entropy_thold);
  read.Float("logprobThreshold", w.logprob_thold);
  read.Float("noSpeechThreshold", w.no_speech_thold);
  read.Int("bestOf", w.greedy.best_of);
  read.Uint32("seed", p.seed_);
  read.Bool("windowContext", p.window_context_);
  read.Int("loopRepeats", p.loop_repeats_);
  read.Bool("groupedAttention", p.grouped_attention_);
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

  // Smart windows (src/long-form/smart-windows.ts) condition each window on the text tokens
  // decoded before it; whisper.cpp takes them instead of tokenizing initialPrompt.
  Napi::Value prompt_tokens = options.Get("promptTokens");
  if (!prompt_tokens.IsUndefined()) {
    if (!prompt_tokens.IsTypedArray() || prompt_tokens.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
      throw MakeTypeError(options.Env(), "native option 'promptTokens' must be an Int32Array");
    }
    Napi::Int32Array tokens = prompt_tokens.As<Napi::Int32Array>();
    read.Range("promptTokens length", tokens.ElementLength(), size_t(0), kMaxPromptTokens,
               "whisper.cpp keeps at most half its text context of them; more is only copied");
    p.prompt_tokens_.assign(tokens.Data(), tokens.Data() + tokens.ElementLength());
  }

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

  read.Range("threads", w.n_threads, 1, GGML_MAX_N_THREADS, "ggml asserts on more threads than it supports");
  read.Range("offsetMs", w.offset_ms, 0, INT32_MAX, "a negative offset reads before the spectrogram");
  read.Range("durationMs", w.duration_ms, 0, INT32_MAX, "with the offset it bounds the spectrogram whisper.cpp reads");
  read.Range("audioContext", w.audio_ctx, 0, 1500, "the encoder's positional embedding has 1500 rows");
  // whisper_state holds WHISPER_MAX_DECODERS (8) decoders.
  read.Range("bestOf", w.greedy.best_of, 1, 8, "whisper.cpp has 8 decoders");
  read.Range("loopRepeats", p.loop_repeats_, 0, 100, "the phrase check looks back repeats x 8 tokens at every step");
  if (strategy == "beam") read.Range("beamSize", w.beam_search.beam_size, 1, 8, "whisper.cpp has 8 decoders");
  // The fallback loop runs from temperature up to 1 in steps of the increment: above 1 (or
  // NaN) it has no temperature at all and whisper.cpp decodes with an unset decoder; a tiny
  // step makes a list of temperatures that fills memory.
  read.Range("temperature", w.temperature, 0.0f, 1.0f, "above 1 whisper.cpp has no temperature to decode with");
  if (w.temperature_inc > 0.0f) {
    read.Range("temperatureIncrement", w.temperature_inc, 0.01f, std::numeric_limits<float>::max(),
               "a smaller step makes whisper.cpp list too many temperatures");
  }
  read.Range("initialPrompt length", p.initial_prompt_.size(), size_t(0), kMaxPromptBytes,
             "whisper.cpp's tokenizer recurses per character and would overflow the stack");
  // whisper.cpp detects the language for an empty one, as for "auto"; a job that detects
  // must not reuse a pooled state (clears_state()), which only "auto" tells us.
  if (p.language_.empty()) throw MakeRangeError(options.Env(), "native option 'language' is empty (use 'auto' to detect it)");
  if (w.vad && p.vad_model_.empty()) {
    throw MakeTypeError(options.Env(), "native option 'vad' needs 'vadModel', the path of a Silero VAD model");
  }
  // whisper.cpp turns these into sample counts in an int: keep them under 2^31/16000, and
  // non-negative (a negative count indexes before the signal).
  read.Range("vadMinSpeechMs", w.vad_params.min_speech_duration_ms, 0, 120000, "a sample count in an int");
  read.Range("vadMinSilenceMs", w.vad_params.min_silence_duration_ms, 0, 120000, "a sample count in an int");
  read.Range("vadMaxSpeechSeconds", w.vad_params.max_speech_duration_s, 0.1f, std::numeric_limits<float>::max(),
             "shorter speech pieces split without end");
  read.Range("vadSpeechPadMs", w.vad_params.speech_pad_ms, 0, 60000, "a sample count in an int");
  read.Range("vadSamplesOverlap", w.vad_params.samples_overlap, 0.0f, 10.0f, "a sample count in an int");
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
