#include "transcribe/segments.h"

// whisper_napi_original_time: VAD joins the speech into one shorter signal; whisper.cpp maps
// segment times back itself, token times through our patch.
#include "core/patched_whisper.h"

namespace whisper_napi {

std::vector<SegmentResult> ReadSegments(whisper_context* ctx, whisper_state* state, int first, int count, bool tokens, const DtwTiming* dtw) {
  std::vector<SegmentResult> out;
  out.reserve(count > 0 ? count : 0);
  for (int i = first; i < first + count; ++i) {
    SegmentResult segment;
    segment.t0 = whisper_full_get_segment_t0_from_state(state, i);
    segment.t1 = whisper_full_get_segment_t1_from_state(state, i);
    const char* text = whisper_full_get_segment_text_from_state(state, i);
    segment.text = text ? text : "";
    segment.no_speech_prob = whisper_full_get_segment_no_speech_prob_from_state(state, i);
    if (tokens) {
      const int n_tokens = whisper_full_n_tokens_from_state(state, i);
      segment.tokens.reserve(n_tokens);
      for (int j = 0; j < n_tokens; ++j) {
        const whisper_token_data data = whisper_full_get_token_data_from_state(state, i, j);
        TokenResult token;
        token.id = data.id;
        const char* token_text = whisper_full_get_token_text_from_state(ctx, state, i, j);
        token.text = token_text ? token_text : "";
        token.p = data.p;
        token.plog = data.plog;
        token.t0 = whisper_napi_original_time(state, data.t0);
        token.t1 = whisper_napi_original_time(state, data.t1);
        token.t_dtw = data.t_dtw >= 0 ? whisper_napi_original_time(state, data.t_dtw) : -1;
        segment.tokens.push_back(std::move(token));
      }
      if (dtw) TimeSegmentByDtw(segment, whisper_token_eot(ctx), *dtw);
    }
    out.push_back(std::move(segment));
  }
  return out;
}

Napi::Array SegmentsToJs(Napi::Env env, const std::vector<SegmentResult>& segments, bool tokens) {
  Napi::Array array = Napi::Array::New(env, segments.size());
  for (size_t i = 0; i < segments.size(); ++i) {
    const SegmentResult& s = segments[i];
    Napi::Object segment = Napi::Object::New(env);
    segment.Set("t0", Napi::Number::New(env, static_cast<double>(s.t0)));
    segment.Set("t1", Napi::Number::New(env, static_cast<double>(s.t1)));
    segment.Set("text", Napi::String::New(env, s.text));
    segment.Set("noSpeechProb", Napi::Number::New(env, s.no_speech_prob));
    if (tokens) {
      Napi::Array list = Napi::Array::New(env, s.tokens.size());
      for (size_t j = 0; j < s.tokens.size(); ++j) {
        const TokenResult& t = s.tokens[j];
        Napi::Object token = Napi::Object::New(env);
        token.Set("id", Napi::Number::New(env, t.id));
        token.Set("text", Napi::String::New(env, t.text));
        token.Set("p", Napi::Number::New(env, t.p));
        token.Set("plog", Napi::Number::New(env, t.plog));
        token.Set("t0", Napi::Number::New(env, static_cast<double>(t.t0)));
        token.Set("t1", Napi::Number::New(env, static_cast<double>(t.t1)));
        token.Set("tDtw", Napi::Number::New(env, static_cast<double>(t.t_dtw)));
        list.Set(static_cast<uint32_t>(j), token);
      }
      segment.Set("tokens", list);
    }
    array.Set(static_cast<uint32_t>(i), segment);
  }
  return array;
}

}  // namespace whisper_napi
