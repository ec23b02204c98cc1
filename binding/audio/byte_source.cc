#include "audio/byte_source.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/native_error.h"

#ifdef _WIN32
#include <windows.h>
#endif

namespace whisper_napi {

size_t MemoryBytes::ReadAt(uint64_t offset, uint8_t* out, size_t count) {
  if (offset >= size_) return 0;
  const size_t n = static_cast<size_t>(std::min<uint64_t>(count, size_ - offset));
  std::memcpy(out, data_ + offset, n);
  return n;
}

std::FILE* OpenFileForReading(const std::string& path) {
#ifdef _WIN32
  const int length = MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, nullptr, 0);
  if (length <= 0) return nullptr;
  std::wstring wide(static_cast<size_t>(length), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, path.c_str(), -1, wide.data(), length);
  return _wfopen(wide.c_str(), L"rb");
#else
  return std::fopen(path.c_str(), "rb");
#endif
}

namespace {

bool SeekTo(std::FILE* file, uint64_t offset) {
#ifdef _WIN32
  return _fseeki64(file, static_cast<__int64>(offset), SEEK_SET) == 0;
#else
  return fseeko(file, static_cast<off_t>(offset), SEEK_SET) == 0;
#endif
}

uint64_t FileSize(std::FILE* file) {
#ifdef _WIN32
  if (_fseeki64(file, 0, SEEK_END) != 0) return 0;
  const __int64 end = _ftelli64(file);
#else
  if (fseeko(file, 0, SEEK_END) != 0) return 0;
  const off_t end = ftello(file);
#endif
  return end > 0 ? static_cast<uint64_t>(end) : 0;
}

constexpr size_t kWindowSize = 64 * 1024;

}  // namespace

FileBytes::FileBytes(const std::string& path) : file_(OpenFileForReading(path)) {
  if (!file_) throw NativeError(ErrorCode::InvalidAudio, "cannot open audio file " + path + ": " + std::strerror(errno));
  size_ = FileSize(file_);
}

FileBytes::~FileBytes() {
  if (file_) std::fclose(file_);
}

size_t FileBytes::ReadAt(uint64_t offset, uint8_t* out, size_t count) {
  size_t copied = 0;
  while (copied < count && offset < size_) {
    if (offset < window_start_ || offset >= window_start_ + window_.size()) {
      window_.resize(kWindowSize);
      if (!SeekTo(file_, offset)) break;
      window_.resize(std::fread(window_.data(), 1, kWindowSize, file_));
      window_start_ = offset;
      if (window_.empty()) break;
    }
    const size_t from = static_cast<size_t>(offset - window_start_);
    const size_t n = std::min(count - copied, window_.size() - from);
    std::memcpy(out + copied, window_.data() + from, n);
    copied += n;
    offset += n;
  }
  return copied;
}

}  // namespace whisper_napi
