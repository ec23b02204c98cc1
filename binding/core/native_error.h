// Errors raised by native code. Each carries a stable code that the TypeScript layer maps
// onto its error classes (src/errors.ts); the message is written for the user.
#pragma once

#include <napi.h>

#include <new>
#include <optional>
#include <stdexcept>
#include <string>

namespace whisper_napi {

enum class ErrorCode {
  ModelNotFound,  // ERR_WHISPER_MODEL_NOT_FOUND
  InvalidModel,   // ERR_WHISPER_INVALID_MODEL
  InvalidAudio,   // ERR_WHISPER_INVALID_AUDIO
  AudioDecode,    // ERR_WHISPER_AUDIO_DECODE: a known format, but damaged or truncated data
  InvalidOption,  // ERR_WHISPER_INVALID_OPTION
  Disposed,       // ERR_WHISPER_DISPOSED
  Aborted,        // ABORT_ERR (the platform's code for AbortError)
  OutOfMemory,    // ERR_WHISPER_OUT_OF_MEMORY
  Native,         // ERR_WHISPER_NATIVE: whisper.cpp reported a failure
};

const char* ErrorCodeName(ErrorCode code);

// Thrown inside worker threads and caught before anything crosses into JS.
class NativeError : public std::runtime_error {
 public:
  NativeError(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

// Runs `body` on a worker thread and turns anything it throws into a NativeError, so no
// exception leaves Execute(). `what` names the work for messages ("transcription", ...).
template <typename Body>
std::optional<NativeError> CatchNativeErrors(const std::string& what, Body&& body) noexcept {
  try {
    body();
    return std::nullopt;
  } catch (const NativeError& e) {
    return e;
  } catch (const std::bad_alloc&) {
    return NativeError(ErrorCode::OutOfMemory, "not enough memory for the " + what);
  } catch (const std::exception& e) {
    return NativeError(ErrorCode::Native, what + " failed: " + e.what());
  } catch (...) {
    return NativeError(ErrorCode::Native, what + " failed with an unknown native exception");
  }
}

// A JS Error with `code` set; `name` stays "Error" and the JS layer rebrands it.
Napi::Error MakeError(Napi::Env env, ErrorCode code, const std::string& message);

// Same, but for a TypeError / RangeError thrown synchronously when a native method is misused.
Napi::TypeError MakeTypeError(Napi::Env env, const std::string& message);
Napi::RangeError MakeRangeError(Napi::Env env, const std::string& message);

}  // namespace whisper_napi
