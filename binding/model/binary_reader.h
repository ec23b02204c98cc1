// A sequential reader over a binary file that knows the file's size, so every length is
// checked against what is actually there before anything is read or allocated. Failures
// go to a callback that must throw (the caller words the error for its kind of file).
#pragma once

#include <cstdint>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>

namespace whisper_napi {

class BinaryReader {
 public:
  using Fail = std::function<void(const std::string& why)>;  // must throw

  BinaryReader(std::ifstream& in, uint64_t size, Fail fail) : in_(in), size_(size), fail_(std::move(fail)) {}

  uint64_t position() const { return pos_; }
  uint64_t remaining() const { return size_ - pos_; }

  void Require(uint64_t bytes, const char* what) {
    if (bytes > remaining()) {
      std::ostringstream why;
      why << "the file is truncated inside the " << what << " (needs " << bytes << " bytes at offset " << pos_
          << ", only " << remaining() << " left)";
      Failed(why.str());
    }
  }

  template <typename T>
  T Read(const char* what) {
    T value{};
    Require(sizeof(T), what);
    in_.read(reinterpret_cast<char*>(&value), sizeof(T));
    Check(what);
    pos_ += sizeof(T);
    return value;
  }

  std::string ReadString(uint64_t length, const char* what) {
    Require(length, what);
    std::string value(static_cast<size_t>(length), '\0');
    if (length > 0) in_.read(value.data(), static_cast<std::streamsize>(length));
    Check(what);
    pos_ += length;
    return value;
  }

  void Skip(uint64_t length, const char* what) {
    Require(length, what);
    if (length <= sizeof(scratch_)) {
      // A seek would discard the stream's buffer: small fields are read through it.
      in_.read(scratch_, static_cast<std::streamsize>(length));
    } else {
      in_.seekg(static_cast<std::streamoff>(pos_ + length));
    }
    Check(what);
    pos_ += length;
  }

  [[noreturn]] void Failed(const std::string& why) {
    fail_(why);
    throw std::logic_error("BinaryReader: the failure callback returned");
  }

 private:
  void Check(const char* what) {
    if (!in_) Failed(std::string("read error in the ") + what);
  }

  std::ifstream& in_;
  uint64_t size_;
  Fail fail_;
  uint64_t pos_ = 0;
  char scratch_[4096];
};

}  // namespace whisper_napi
