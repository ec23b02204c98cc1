#include "core/job_channel.h"

#include <napi.h>

#include <new>
#include <string>

namespace whisper_napi {

bool CanRunJs(napi_env env) {
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return false;
  // napi_set_named_property goes through Node-API's "can call into JS" check, which fails
  // once the environment is stopping; creating the object does not.
  napi_value object;
  bool ok = napi_create_object(env, &object) == napi_ok &&
            napi_set_named_property(env, object, "alive", object) == napi_ok;
  napi_close_handle_scope(env, scope);
  return ok;
}

napi_value MakeJobHandle(napi_env env, napi_value promise, CancelFlag flag) {
  Napi::Env e(env);
  Napi::Object job = Napi::Object::New(e);
  job.Set("promise", Napi::Value(e, promise));
  job.Set("cancel", Napi::Function::New(e, [flag](const Napi::CallbackInfo&) { flag->store(true); }, "cancel"));
  return job;
}

struct ChannelMessage {
  enum class Kind { Ping, Segments, Progress } kind = Kind::Ping;
  CancelFlag cancel;  // a copy, so the message stays valid after the job has ended
  bool tokens = false;
  int first_index = 0;
  std::vector<SegmentResult> segments;
  int percent = 0;
};

namespace {

// Runs on the JS thread, in order of sending.
void Deliver(napi_env env, napi_value listener, void* /*context*/, void* data) {
  std::unique_ptr<ChannelMessage> message(static_cast<ChannelMessage*>(data));
  if (env == nullptr) return;  // the channel is being torn down
  if (!CanRunJs(env)) {
    message->cancel->store(true);
    return;
  }
  if (message->kind == ChannelMessage::Kind::Ping || listener == nullptr) return;
  // Plain objects only; the listener (src/model.ts) never throws back into here.
  try {
    Napi::Env e(env);
    Napi::HandleScope scope(e);
    Napi::Object event = Napi::Object::New(e);
    if (message->kind == ChannelMessage::Kind::Segments) {
      event.Set("type", "segments");
      event.Set("index", Napi::Number::New(e, message->first_index));
      event.Set("segments", SegmentsToJs(e, message->segments, message->tokens));
    } else {
      event.Set("type", "progress");
      event.Set("percent", Napi::Number::New(e, message->percent));
    }
    Napi::Function(e, listener).Call({event});
  } catch (...) {
    // A listener error (or JS stopping mid-call) must not reach the thread-safe function.
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
      napi_value ignored;
      napi_get_and_clear_last_exception(env, &ignored);
    }
  }
}

}  // namespace

JobChannel::JobChannel(napi_env env, CancelFlag cancel, napi_value listener, bool tokens)
    : cancel_(std::move(cancel)), has_listener_(listener != nullptr), tokens_(tokens) {
  napi_value name;
  if (napi_create_string_utf8(env, "whisper-napi:job", NAPI_AUTO_LENGTH, &name) != napi_ok) return;
  if (napi_create_threadsafe_function(env, listener, nullptr, name, 0, 1, nullptr, nullptr, nullptr, Deliver, &tsfn_) !=
      napi_ok) {
    tsfn_ = nullptr;
    return;
  }
  napi_unref_threadsafe_function(env, tsfn_);
}

JobChannel::~JobChannel() {
  if (tsfn_ != nullptr) napi_release_threadsafe_function(tsfn_, napi_tsfn_release);
}

void JobChannel::Send(ChannelMessage* message) {
  message->cancel = cancel_;
  message->tokens = tokens_;
  if (tsfn_ == nullptr || napi_call_threadsafe_function(tsfn_, message, napi_tsfn_nonblocking) != napi_ok) delete message;
}

void JobChannel::MaybePing() {
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch()).count();
  int64_t last = last_ping_ns_.load(std::memory_order_relaxed);
  if (now - last < std::chrono::nanoseconds(kPingInterval).count()) return;
  if (!last_ping_ns_.compare_exchange_strong(last, now)) return;
  // Runs inside ggml's compute (the abort callback): nothing may throw through it.
  auto* ping = new (std::nothrow) ChannelMessage();
  if (ping != nullptr) Send(ping);
}

void JobChannel::Segments(int first_index, std::vector<SegmentResult> segments) {
  if (!has_listener_) return;
  auto* message = new (std::nothrow) ChannelMessage();
  if (message == nullptr) return;  // the final result still carries every segment
  message->kind = ChannelMessage::Kind::Segments;
  message->first_index = first_index;
  message->segments = std::move(segments);
  Send(message);
}

void JobChannel::Progress(int percent) {
  if (!has_listener_) return;
  auto* message = new (std::nothrow) ChannelMessage();
  if (message == nullptr) return;
  message->kind = ChannelMessage::Kind::Progress;
  message->percent = percent;
  Send(message);
}

}  // namespace whisper_napi
