#include "speculative/assistant_pair.h"

#include <cstring>

#include "core/patched_whisper.h"

namespace whisper_napi {

namespace {

std::string Differs(const char* what, int main_value, int assistant_value) {
  return std::string(what) + " differ (" + std::to_string(main_value) + " for the main model, " +
         std::to_string(assistant_value) + " for the assistant)";
}

}  // namespace

std::string AssistantShapeProblem(whisper_context* main, whisper_context* assistant) {
  struct Field {
    const char* what;
    int (*get)(whisper_context*);
  };
  static const Field fields[] = {
      {"the vocabulary sizes", whisper_model_n_vocab},
      {"the text context lengths", whisper_model_n_text_ctx},
      {"the mel bins", whisper_model_n_mels},
      {"the audio context lengths", whisper_model_n_audio_ctx},
      {"the audio encoder widths", whisper_model_n_audio_state},
      {"the audio encoder head counts", whisper_model_n_audio_head},
      {"the audio encoder layer counts", whisper_model_n_audio_layer},
  };
  for (const Field& field : fields) {
    const int a = field.get(main);
    const int b = field.get(assistant);
    if (a != b) return Differs(field.what, a, b);
  }
  struct Special {
    const char* what;
    whisper_token (*get)(whisper_context*);
  };
  static const Special specials[] = {
      {"the end-of-text tokens", whisper_token_eot},
      {"the start-of-transcript tokens", whisper_token_sot},
      {"the no-timestamps tokens", whisper_token_not},
      {"the first timestamp tokens", whisper_token_beg},
  };
  for (const Special& special : specials) {
    const whisper_token a = special.get(main);
    const whisper_token b = special.get(assistant);
    if (a != b) return Differs(special.what, a, b);
  }
  return "";
}

void AssistantCheckWorker::Run() {
  whisper_context* main = main_->context();
  whisper_context* assistant = assistant_->context();
  problem_ = AssistantShapeProblem(main, assistant);
  if (!problem_.empty()) return;
  const whisper_token eot = whisper_token_eot(main);
  for (whisper_token t = 0; t < eot; ++t) {
    const char* a = whisper_token_to_str(main, t);
    const char* b = whisper_token_to_str(assistant, t);
    if ((a == nullptr) != (b == nullptr) || (a && std::strcmp(a, b) != 0)) {
      problem_ = "the vocabularies differ (token " + std::to_string(t) + ")";
      return;
    }
  }
  same_encoder_weights_ = whisper_napi_encoders_equal(main, assistant) == 1;
}

Napi::Value AssistantCheckWorker::Result(Napi::Env env) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("problem", problem_.empty() ? env.Null() : Napi::String::New(env, problem_));
  result.Set("sameEncoderWeights", Napi::Boolean::New(env, same_encoder_weights_));
  return result;
}

}  // namespace whisper_napi
