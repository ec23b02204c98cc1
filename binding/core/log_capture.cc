#include "core/log_capture.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "ggml.h"
#include "whisper.h"

namespace whisper_napi {
namespace {

// The capture active on this thread, if any. Thread-local, so concurrent jobs in several
// threads (or several Node environments) never see each other's lines.
thread_local LogCapture* current_capture = nullptr;

// Read once at first use; immutable afterwards.
int StderrLevel() {
  static const int level = [] {
    const char* value = std::getenv("WHISPER_NAPI_LOG");
    return value ? std::atoi(value) : 0;
  }();
  return level;
}

constexpr size_t kMaxCapturedBytes = 8 * 1024;

void OnLog(ggml_log_level level, const char* text, void* /*user_data*/) {
  if (text == nullptr) return;
  const bool important = level == GGML_LOG_LEVEL_ERROR || level == GGML_LOG_LEVEL_WARN;
  if (important && current_capture != nullptr) current_capture->Append(text);
  const int stderr_level = StderrLevel();
  if (stderr_level >= 2 || (stderr_level == 1 && important)) {
    std::fputs(text, stderr);
  }
}

}  // namespace

void InstallLogRouting() {
  static std::once_flag once;
  std::call_once(once, [] {
    whisper_log_set(OnLog, nullptr);
    ggml_log_set(OnLog, nullptr);
  });
}

LogCapture::LogCapture() : previous_(current_capture) { current_capture = this; }

LogCapture::~LogCapture() { current_capture = previous_; }

void LogCapture::Append(const char* text) {
  if (text_.size() < kMaxCapturedBytes) text_.append(text);
}

std::string LogCapture::Text() const {
  size_t end = text_.find_last_not_of(" \n\r\t");
  return end == std::string::npos ? std::string() : text_.substr(0, end + 1);
}

}  // namespace whisper_napi
