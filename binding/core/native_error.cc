#include "core/native_error.h"

namespace whisper_napi {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::ModelNotFound: return "ERR_WHISPER_MODEL_NOT_FOUND";
    case ErrorCode::InvalidModel: return "ERR_WHISPER_INVALID_MODEL";
    case ErrorCode::InvalidAudio: return "ERR_WHISPER_INVALID_AUDIO";
    case ErrorCode::AudioDecode: return "ERR_WHISPER_AUDIO_DECODE";
    case ErrorCode::InvalidOption: return "ERR_WHISPER_INVALID_OPTION";
    case ErrorCode::Disposed: return "ERR_WHISPER_DISPOSED";
    case ErrorCode::Aborted: return "ABORT_ERR";
    case ErrorCode::OutOfMemory: return "ERR_WHISPER_OUT_OF_MEMORY";
    case ErrorCode::Native: return "ERR_WHISPER_NATIVE";
  }
  return "ERR_WHISPER_NATIVE";
}

Napi::Error MakeError(Napi::Env env, ErrorCode code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, ErrorCodeName(code)));
  return error;
}

Napi::TypeError MakeTypeError(Napi::Env env, const std::string& message) {
  Napi::TypeError error = Napi::TypeError::New(env, message);
  error.Set("code", Napi::String::New(env, "ERR_INVALID_ARG_TYPE"));
  return error;
}

Napi::RangeError MakeRangeError(Napi::Env env, const std::string& message) {
  Napi::RangeError error = Napi::RangeError::New(env, message);
  error.Set("code", Napi::String::New(env, "ERR_OUT_OF_RANGE"));
  return error;
}

}  // namespace whisper_napi
