// Errors raised by native code. Each carries a stable code that the TypeScript layer maps
// onto its error classes (src/errors.ts); the message is written for the user.
#pragma once

#include <napi.h>

#include <stdexcept>
#include <string>

namespace whisper_napi {

enum class ErrorCode {
  ModelNotFound,  // ERR_WHISPER_MODEL_NOT_FOUND
  InvalidModel,   // ERR_WHISPER_INVALID_MODEL
  InvalidAudio,   // ERR_WHISPER_INVALID_AUDIO
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

// A JS Error with `code` set; `name` stays "Error" and the JS layer rebrands it.
Napi::Error MakeError(Napi::Env env, ErrorCode code, const std::string& message);

// Same, but for a TypeError / RangeError thrown synchronously when a native method is misused.
Napi::TypeError MakeTypeError(Napi::Env env, const std::string& message);
Napi::RangeError MakeRangeError(Napi::Env env, const std::string& message);

}  // namespace whisper_napi
