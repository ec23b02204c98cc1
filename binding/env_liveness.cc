#include "env_liveness.h"

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

namespace {

// Runs on the JS thread. `data` is a heap copy of the job's flag, so it stays valid even
// if the job has finished by the time the ping is delivered.
void AnswerPing(napi_env env, napi_value /*js_callback*/, void* /*context*/, void* data) {
  auto* flag = static_cast<LivenessProbe::Flag*>(data);
  if (env != nullptr && !CanRunJs(env)) (*flag)->store(true);
  delete flag;
}

}  // namespace

LivenessProbe::LivenessProbe(napi_env env, Flag cancel) : cancel_(std::move(cancel)) {
  napi_value name;
  if (napi_create_string_utf8(env, "whisper-napi:liveness", NAPI_AUTO_LENGTH, &name) != napi_ok) return;
  if (napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, nullptr, nullptr, nullptr, AnswerPing, &tsfn_) !=
      napi_ok) {
    tsfn_ = nullptr;
    return;
  }
  napi_unref_threadsafe_function(env, tsfn_);
}

LivenessProbe::~LivenessProbe() {
  if (tsfn_ != nullptr) napi_release_threadsafe_function(tsfn_, napi_tsfn_release);
}

void LivenessProbe::MaybePing() {
  if (tsfn_ == nullptr) return;
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch()).count();
  int64_t last = last_ping_ns_.load(std::memory_order_relaxed);
  if (now - last < std::chrono::nanoseconds(kInterval).count()) return;
  if (!last_ping_ns_.compare_exchange_strong(last, now)) return;
  auto* data = new Flag(cancel_);
  if (napi_call_threadsafe_function(tsfn_, data, napi_tsfn_nonblocking) != napi_ok) delete data;
}

}  // namespace whisper_napi
