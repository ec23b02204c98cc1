#include "audio/audio_workers.h"

#include "audio/staged_audio.h"

namespace whisper_napi {

AudioTask::AudioTask(Napi::Env env, const char* name, StagedAudio* owner, Napi::Object owner_object,
                     std::shared_ptr<AudioSignal> signal)
    : PromiseWorker(env, name, "audio decoding"), signal_(std::move(signal)), owner_(owner), owner_ref_(Napi::Persistent(owner_object)) {}

void AudioTask::OnOK() {
  owner_->SetIdle();
  PromiseWorker::OnOK();
}

void AudioTask::OnError(const Napi::Error& error) {
  owner_->SetIdle();
  PromiseWorker::OnError(error);
}

DecodeTask::DecodeTask(Napi::Env env, StagedAudio* owner, Napi::Object owner_object, std::shared_ptr<AudioSignal> signal,
                       std::string path, std::vector<uint8_t> bytes, CompressedFormat format)
    : AudioTask(env, "whisper-napi:decode", owner, owner_object, std::move(signal)), bytes_(std::move(bytes)), format_(format) {
  source_.path = std::move(path);
  if (source_.path.empty()) {
    source_.data = bytes_.data();
    source_.size = bytes_.size();
  }
}

void DecodeTask::Run() {
  // Moved into this frame so the encoded copy is freed here, on the pool thread.
  const std::vector<uint8_t> bytes = std::move(bytes_);
  facts_ = DecodeCompressed(source_, format_, *signal_);
}

Napi::Value DecodeTask::Result(Napi::Env env) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("sampleRate", Napi::Number::New(env, facts_.sample_rate));
  result.Set("channels", Napi::Number::New(env, facts_.channels));
  result.Set("frames", Napi::Number::New(env, static_cast<double>(facts_.frames)));
  return result;
}

}  // namespace whisper_napi
