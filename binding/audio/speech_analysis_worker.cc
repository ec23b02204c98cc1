#include "audio/speech_analysis_worker.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/addon.h"
#include "audio/audio_checks.h"
#include "core/job_channel.h"
#include "core/log_capture.h"
#include "core/native_error.h"
#include "core/promise_worker.h"
#include "audio/staged_audio.h"
#include "model/vad_model_file.h"
#include "core/whisper_handles.h"

namespace whisper_napi {
namespace {

constexpr size_t kRmsFrame = 160;  // 10 ms at 16 kHz
// VAD blocks of 940 frames of 512 samples (~30 s): an abort waits for one block at most.
constexpr size_t kVadBlockFrames = 940;

class SpeechAnalysisWorker : public PromiseWorker {
 public:
  SpeechAnalysisWorker(Napi::Env env, std::shared_ptr<const std::vector<float>> samples, std::string vad_model, int threads)
      : PromiseWorker(env, "whisper-napi:analyze-speech", "speech analysis"),
        samples_(std::move(samples)),
        vad_model_(std::move(vad_model)),
        threads_(threads),
        cancel_(std::make_shared<std::atomic<bool>>(false)) {}

  const CancelFlag& cancel_flag() const { return cancel_; }

 protected:
  void Execute() override {
    PromiseWorker::Execute();
    samples_.reset();  // this job's hold on the shared samples, let go on the pool thread
  }

  void Run() override {
    CheckSamples(samples_->data(), samples_->size());
    MeasureRms();
    if (!vad_model_.empty()) DetectSpeech();
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object result = Napi::Object::New(env);
    result.Set("rms", ToFloat32Array(env, rms_));
    result.Set("speechProbabilities", vad_model_.empty() ? env.Null() : Napi::Value(ToFloat32Array(env, probabilities_)));
    return result;
  }

 private:
  static Napi::Float32Array ToFloat32Array(Napi::Env env, const std::vector<float>& values) {
    Napi::Float32Array array = Napi::Float32Array::New(env, values.size());
    std::copy(values.begin(), values.end(), array.Data());
    return array;
  }

  void ThrowIfCancelled() const {
    if (cancel_->load()) throw NativeError(ErrorCode::Aborted, "the transcription was aborted");
  }

  void MeasureRms() {
    const std::vector<float>& s = *samples_;
    rms_.resize((s.size() + kRmsFrame - 1) / kRmsFrame);
    for (size_t frame = 0; frame < rms_.size(); ++frame) {
      if (frame % 100000 == 0) ThrowIfCancelled();
      const size_t begin = frame * kRmsFrame;
      const size_t end = std::min(begin + kRmsFrame, s.size());
      double sum = 0;
      for (size_t i = begin; i < end; ++i) sum += static_cast<double>(s[i]) * s[i];
      rms_[frame] = static_cast<float>(std::sqrt(sum / static_cast<double>(end - begin)));
    }
  }

  void DetectSpeech() {
    // whisper.cpp's VAD loader trusts the file; it is checked first (vad_model_file.h).
    CheckVadModelFile(vad_model_);
    LogCapture log;
    whisper_vad_context_params params = whisper_vad_default_context_params();
    params.n_threads = threads_;
    params.use_gpu = false;  // a small LSTM: the CPU is faster than a round trip to a GPU
    WhisperVadContextPtr vad(whisper_vad_init_from_file_with_params(vad_model_.c_str(), params));
    if (!vad) throw NativeError(ErrorCode::InvalidModel, "whisper.cpp could not load the VAD model " + vad_model_ + ": " + log.Text());
    const std::vector<float>& s = *samples_;
    const size_t block = kVadBlockFrames * 512;
    whisper_vad_reset_state(vad.get());
    for (size_t begin = 0; begin < s.size(); begin += block) {
      ThrowIfCancelled();
      const size_t count = std::min(block, s.size() - begin);
      // Keeps the LSTM state across blocks, so the probabilities equal one call's.
      if (!whisper_vad_detect_speech_no_reset(vad.get(), s.data() + begin, static_cast<int>(count))) {
        throw NativeError(ErrorCode::Native, "whisper.cpp's VAD failed: " + log.Text());
      }
      const int n = whisper_vad_n_probs(vad.get());
      const float* p = whisper_vad_probs(vad.get());
      probabilities_.insert(probabilities_.end(), p, p + n);
    }
  }

  std::shared_ptr<const std::vector<float>> samples_;
  std::string vad_model_;
  int threads_;
  CancelFlag cancel_;
  std::vector<float> rms_;
  std::vector<float> probabilities_;
};

}  // namespace

Napi::Value AnalyzeSpeech(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !env.GetInstanceData<WhisperAddon>()->IsStagedAudio(info[0]) || !info[1].IsObject()) {
    throw MakeTypeError(env, "analyzeSpeech(audio, options) expects a StagedAudio and an object");
  }
  Napi::Object options = info[1].As<Napi::Object>();
  Napi::Value vad_model = options.Get("vadModel");
  Napi::Value threads = options.Get("threads");
  if (!(vad_model.IsUndefined() || vad_model.IsString()) || !threads.IsNumber()) {
    throw MakeTypeError(env, "analyzeSpeech(): options are { vadModel?: string, threads: number }");
  }
  const int thread_count = threads.As<Napi::Number>().Int32Value();
  if (thread_count < 1 || thread_count > 64) throw MakeRangeError(env, "analyzeSpeech(): threads must be between 1 and 64");
  std::shared_ptr<const std::vector<float>> samples = StagedAudio::Unwrap(info[0].As<Napi::Object>())->Share(env);
  auto* worker = new SpeechAnalysisWorker(env, std::move(samples), vad_model.IsString() ? vad_model.As<Napi::String>().Utf8Value() : "",
                                          thread_count);
  Napi::Value job(env, MakeJobHandle(env, worker->Promise(), worker->cancel_flag()));
  worker->Queue();
  return job;
}

}  // namespace whisper_napi
