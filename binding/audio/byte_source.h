// Random access to the bytes of an encoded audio file, in memory or on disk, for the
// checks we run before handing a file to a decoder (binding/mp3_frames.cc).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace whisper_napi {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Copies up to `count` bytes at `offset` into `out`; returns how many were copied.
  virtual size_t ReadAt(uint64_t offset, uint8_t* out, size_t count) = 0;
};

class MemoryBytes : public ByteSource {
 public:
  MemoryBytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint64_t size() const override { return size_; }
  size_t ReadAt(uint64_t offset, uint8_t* out, size_t count) override;

 private:
  const uint8_t* data_;
  size_t size_;
};

// A file read through a 64 KiB window, so scanning frame headers costs few system calls.
class FileBytes : public ByteSource {
 public:
  // Throws NativeError(InvalidAudio) if the file cannot be opened. `path` is UTF-8.
  explicit FileBytes(const std::string& path);
  ~FileBytes() override;
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;

  uint64_t size() const override { return size_; }
  size_t ReadAt(uint64_t offset, uint8_t* out, size_t count) override;

 private:
  std::FILE* file_ = nullptr;
  uint64_t size_ = 0;
  std::vector<uint8_t> window_;
  uint64_t window_start_ = 0;
};

// Opens a UTF-8 path for binary reading (wide-character API on Windows).
std::FILE* OpenFileForReading(const std::string& path);

}  // namespace whisper_napi
