#include "speculative/speculative_drafter.h"

#include <algorithm>
#include <chrono>

namespace whisper_napi {

namespace {

constexpr int kMaxLength = 15;  // the patch's bound too: a verification pass feeds at most 16 tokens
constexpr double kSmoothing = 0.3;       // weight of the latest proposal in the acceptance average
constexpr int kProposalsBeforePause = 4;
constexpr double kPauseBelow = 0.1;      // pause drafting when the average acceptance drops below
constexpr int kFirstPause = 8;           // decoder steps; doubles while probes keep missing
constexpr int kMaxPause = 128;

class Stopwatch {
 public:
  explicit Stopwatch(double& total) : total_(total), start_(std::chrono::steady_clock::now()) {}
  ~Stopwatch() { total_ += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  double& total_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

SpeculativeDrafter::SpeculativeDrafter(std::shared_ptr<LoadedModel> assistant, WhisperStatePtr state, bool share_encoder,
                                       int threads, ggml_abort_callback abort_callback, void* abort_callback_data)
    : assistant_(std::move(assistant)),
      state_(std::move(state)),
      share_encoder_(share_encoder),
      threads_(threads),
      abort_callback_(abort_callback),
      abort_callback_data_(abort_callback_data),
      rules_(DraftTokenRules::For(assistant_->context())),
      encoder_passes_at_start_(whisper_napi_encoder_passes(state_.get())) {}

void SpeculativeDrafter::Attach(whisper_context* main_context, whisper_state* main_state) {
  main_state_ = main_state;
  stale_ = true;
  stats_.exact = whisper_napi_exact_verification(main_context, main_state) == 1;
  whisper_napi_set_draft_callback(main_state, &SpeculativeDrafter::DraftCallback, this);
}

SpeculativeDrafter::~SpeculativeDrafter() {
  Detach();
  // The assistant's state goes back to its pool (whisper_napi_encode_like and the decoder
  // passes reset what they use).
  if (state_) assistant_->ReleaseState(std::move(state_));
}

void SpeculativeDrafter::Detach() {
  // The main state may go back to its pool: it must not keep pointing here.
  if (main_state_) whisper_napi_set_draft_callback(main_state_, nullptr, nullptr);
  main_state_ = nullptr;
}

SpeculativeStats SpeculativeDrafter::stats() const {
  SpeculativeStats stats = stats_;
  stats.assistant_encoder_passes = whisper_napi_encoder_passes(state_.get()) - encoder_passes_at_start_;
  return stats;
}

int SpeculativeDrafter::DraftCallback(const whisper_token* tokens, int n_tokens, int n_prompt, int n_accepted,
                                      whisper_token* draft, int n_max, void* self) {
  auto* drafter = static_cast<SpeculativeDrafter*>(self);
  drafter->Account(n_accepted);
  if (draft == nullptr) return 0;  // the decoding pass ended
  drafter->stats_.decoder_passes++;
  if (n_max <= 0) return 0;  // the end of the text context
  try {
    Stopwatch timing(drafter->stats_.assistant_ms);
    const int n = drafter->Draft(tokens, n_tokens, n_prompt, draft, n_max);
    drafter->last_proposal_ = n;
    return n;
  } catch (...) {
    // Out of memory in the assistant: decode without a draft (nothing may cross into C),
    // and trust nothing about the assistant's cache.
    drafter->cached_.clear();
    drafter->last_proposal_ = 0;
    return 0;
  }
}

void SpeculativeDrafter::Account(int n_accepted) {
  const int proposed = last_proposal_;
  last_proposal_ = 0;
  if (proposed <= 0 || n_accepted < 0) return;
  stats_.drafted += proposed;
  stats_.accepted += n_accepted;
  // The recent acceptance rate: a moving average over proposals.
  acceptance_ = (1 - kSmoothing) * acceptance_ + kSmoothing * static_cast<double>(n_accepted) / proposed;
  proposals_seen_++;
  if (proposals_seen_ >= kProposalsBeforePause && acceptance_ < kPauseBelow) {
    // The assistant keeps missing: stop asking it for a while, then probe again with one token.
    pause_steps_ = pause_length_;
    pause_length_ = std::min(pause_length_ * 2, kMaxPause);
  } else if (n_accepted > 0) {
    pause_length_ = kFirstPause;
  }
}

int SpeculativeDrafter::NextLength() {
  if (pause_steps_ > 0) {
    pause_steps_--;
    return 0;
  }
  // With a per-token acceptance rate a, agreeing runs are a / (1 - a) tokens long on average:
  // propose one more than that, so a typical run ends inside the draft.
  const double a = std::min(acceptance_, 0.99);
  return std::clamp(1 + static_cast<int>(a / (1 - a)), 1, kMaxLength);
}

bool SpeculativeDrafter::PrepareWindow() {
  if (!stale_) return !window_failed_;
  stale_ = false;
  window_failed_ = true;  // until the assistant is ready for this window
  cached_.clear();
  stats_.assistant_windows++;
  const int rc = whisper_napi_encode_like(assistant_->context(), state_.get(), main_state_, share_encoder_, threads_,
                                          abort_callback_, abort_callback_data_);
  window_failed_ = rc != 0;
  return !window_failed_;
}

int SpeculativeDrafter::Draft(const whisper_token* tokens, int n_tokens, int n_prompt, whisper_token* draft, int n_max) {
  const int length = std::min(NextLength(), n_max);
  if (length <= 0 || n_tokens <= 0 || !PrepareWindow()) return 0;

  whisper_context* ctx = assistant_->context();
  whisper_state* state = state_.get();
  const int n_vocab = whisper_n_vocab(ctx);
  // whisper.cpp ends the prompt with <|notimestamps|> when it decodes without timestamps.
  const bool timestamps = n_prompt > 0 && tokens[n_prompt - 1] != whisper_token_not(ctx);

  // Feed the assistant what its cache lacks (at least the last token: its logits are needed).
  int common = 0;
  const int cached = static_cast<int>(cached_.size());
  while (common < cached && common < n_tokens && cached_[common] == tokens[common]) common++;
  common = std::min(common, n_tokens - 1);
  if (whisper_decode_with_state(ctx, state, tokens + common, n_tokens - common, common, threads_) != 0) {
    cached_.clear();
    return 0;
  }
  cached_.assign(tokens, tokens + n_tokens);
  int fed = n_tokens - common;

  // The window's sampled tokens so far, which whisper.cpp's rules for the next token read.
  std::vector<whisper_token> sampled(tokens + std::min(n_prompt, n_tokens), tokens + n_tokens);
  int n = 0;
  while (n < length) {
    const float* logits = whisper_get_logits_from_state(state) + static_cast<size_t>(fed - 1) * n_vocab;
    const whisper_token next = rules_.Pick(logits, timestamps, sampled);
    sampled.push_back(next);
    draft[n++] = next;
    if (next == whisper_token_eot(ctx) || n == length) break;
    if (whisper_decode_with_state(ctx, state, &next, 1, static_cast<int>(cached_.size()), threads_) != 0) {
      cached_.clear();
      break;
    }
    cached_.push_back(next);
    fed = 1;
  }
  return n;
}

}  // namespace whisper_napi
