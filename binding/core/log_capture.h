// Routes whisper.cpp and ggml log output.
//
// whisper.cpp reports why a call failed only through its log. A worker installs a
// LogCapture for the duration of a native call; lines logged on that thread at warning
// level or above are kept so the JS error can quote them. Nothing is printed unless
// WHISPER_NAPI_LOG is set (1 = errors and warnings, 2 = everything), because a library
// should not write to the host application's stderr.
#pragma once

#include <string>

namespace whisper_napi {

// Installs the process-wide log callback once (std::call_once); safe from any thread.
void InstallLogRouting();

class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  void Append(const char* text);
  // The captured lines, trimmed; empty if nothing was logged.
  std::string Text() const;

 private:
  std::string text_;
  LogCapture* previous_;
};

}  // namespace whisper_napi
