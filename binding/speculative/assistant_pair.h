// Whether a model can be another's assistant in speculative decoding, and whether the two
// can share the encoder's work.
//
// The assistant drafts token ids that the main model checks, so both must speak the same
// vocabulary (every token the same bytes) and the same text context length. Its
// cross-attention reads audio features of the main model's shape, so the audio encoders must
// have the same shape (mel bins, context, width, heads, layers). Sharing the main model's
// encoder output additionally needs the same encoder weights, compared byte for byte
// (distil-medium.en's encoder is a copy of medium.en's); otherwise the assistant encodes
// each window itself.
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "model/loaded_model.h"
#include "core/promise_worker.h"

namespace whisper_napi {

// Empty when `assistant` can draft for `main`; otherwise why not, as a sentence fragment
// ("the vocabularies differ: ..."). Cheap: shapes and special tokens only.
std::string AssistantShapeProblem(whisper_context* main, whisper_context* assistant);

// main.checkAssistant(assistant) on the thread pool -> Promise<{ problem: string | null,
// sameEncoderWeights: boolean }>: the shapes, every vocabulary entry, and the encoder
// weights (hundreds of MB for medium models: not for the JS thread).
class AssistantCheckWorker : public PromiseWorker {
 public:
  AssistantCheckWorker(Napi::Env env, std::shared_ptr<LoadedModel> main, std::shared_ptr<LoadedModel> assistant)
      : PromiseWorker(env, "whisper-napi:check-assistant", "the assistant check"),
        main_(std::move(main)),
        assistant_(std::move(assistant)) {}

 protected:
  void Run() override;
  Napi::Value Result(Napi::Env env) override;

 private:
  std::shared_ptr<LoadedModel> main_;
  std::shared_ptr<LoadedModel> assistant_;
  std::string problem_;
  bool same_encoder_weights_ = false;
};

}  // namespace whisper_napi
