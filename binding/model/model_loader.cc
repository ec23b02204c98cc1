#include "model/model_loader.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <thread>

#include "ggml.h"

namespace whisper_napi {

namespace {
constexpr size_t kParallelReadBytes = 8 << 20;  // below this, one read is as fast
constexpr unsigned kMaxReadThreads = 4;
}  // namespace

PlannedModelStream::PlannedModelStream(const ModelFile& file)
    : path_(file.path),
      stream_(file.stream), in_(*stream_), plan_(file.plan) {
  // Reading resumes from wherever InspectModelFile left the stream.
  in_.clear();
  file_position_ = UINT64_MAX;
}

whisper_model_loader PlannedModelStream::Loader() {
  whisper_model_loader loader{};
  loader.context = this;
  loader.read = [](void* ctx, void* output, size_t size) { return static_cast<PlannedModelStream*>(ctx)->Read(output, size); };
  loader.eof = [](void* ctx) { return static_cast<PlannedModelStream*>(ctx)->AtEnd(); };
  loader.close = [](void* /*ctx*/) {};
  return loader;
}

void PlannedModelStream::SeekTo(uint64_t offset) {
  // whisper.cpp reads the vocabulary a few bytes at a time; seeking on every read would
  // throw away the stream's buffer each time.
  if (offset == file_position_) return;
  in_.clear();
  in_.seekg(static_cast<std::streamoff>(offset));
  file_position_ = offset;
}

void PlannedModelStream::CopyFromFile(char* out, uint64_t file_offset, size_t size) {
  if (size >= kParallelReadBytes && ReadInParallel(out, file_offset, size)) return;
  SeekTo(file_offset);
  in_.read(out, static_cast<std::streamsize>(size));
  file_position_ += size;
  if (!in_) {
    failed_ = true;
    in_.clear();
    file_position_ = UINT64_MAX;  // unknown: seek before the next read
    std::memset(out, 0, size);
  }
}

// A big tensor's bytes are read by several threads at once, each with its own stream: the
// time goes into faulting in and filling fresh pages, which parallelizes, so a model loads
// faster than whisper.cpp's own single-threaded read (whisper-cli's). False if the extra
// streams could not be opened (then the caller reads it alone).
bool PlannedModelStream::ReadInParallel(char* out, uint64_t file_offset, size_t size) {
  const unsigned parts = std::min<unsigned>(kMaxReadThreads, std::max(1u, std::thread::hardware_concurrency()));
  if (parts < 2) return false;
  const size_t part = (size / parts + 4095) & ~size_t(4095);
  std::vector<std::ifstream> streams;
  for (unsigned i = 1; i < parts; ++i) {
    streams.emplace_back(std::filesystem::u8path(path_), std::ios::binary);
    if (!streams.back()) return false;
  }
  std::vector<char> ok(parts, 1);
  auto read_part = [&](std::istream& in, unsigned i) {
    const size_t begin = std::min(size, part * i);
    const size_t length = std::min(size, begin + part) - begin;
    if (length == 0) return;
    in.seekg(static_cast<std::streamoff>(file_offset + begin));
    in.read(out + begin, static_cast<std::streamsize>(length));
    if (!in) ok[i] = 0;
  };
  std::vector<std::thread> threads;
  try {
    for (unsigned i = 1; i < parts; ++i) threads.emplace_back(read_part, std::ref(streams[i - 1]), i);
  } catch (const std::system_error&) {
    // No thread to spare: read what is left here.
    for (unsigned i = static_cast<unsigned>(threads.size()) + 1; i < parts; ++i) read_part(streams[i - 1], i);
  }
  in_.clear();
  read_part(in_, 0);
  for (auto& t : threads) t.join();
  file_position_ = UINT64_MAX;  // in_ stopped after the first part
  if (std::find(ok.begin(), ok.end(), 0) != ok.end()) {
    failed_ = true;
    in_.clear();
    std::memset(out, 0, size);
  }
  return true;
}

void PlannedModelStream::Convert(LoadSegment::Kind kind, char* out, uint64_t file_offset, uint64_t offset_in_segment, size_t size) {
  // whisper.cpp reads a tensor's data in one call, so `size` covers whole 2-byte values.
  // Convert in bounded chunks: a token embedding alone can be hundreds of MB.
  constexpr size_t kChunk = 1 << 20;
  const bool from_f16 = kind == LoadSegment::Kind::ConvertF16ToBF16;
  const size_t stored_size = from_f16 ? sizeof(ggml_fp16_t) : sizeof(float);
  const size_t count = size / 2;
  SeekTo(file_offset + offset_in_segment / 2 * stored_size);
  for (size_t done = 0; done < count; done += kChunk) {
    const size_t n = std::min(kChunk, count - done);
    convert_buffer_.resize(n);
    const std::streamsize bytes = static_cast<std::streamsize>(n * stored_size);
    if (from_f16) {
      half_buffer_.resize(n);
      in_.read(reinterpret_cast<char*>(half_buffer_.data()), bytes);
    } else {
      in_.read(reinterpret_cast<char*>(convert_buffer_.data()), bytes);
    }
    file_position_ += static_cast<uint64_t>(bytes);
    if (!in_) {
      failed_ = true;
      in_.clear();
      std::fill(convert_buffer_.begin(), convert_buffer_.end(), 0.0f);
      std::fill(half_buffer_.begin(), half_buffer_.end(), ggml_fp16_t{});
    }
    if (from_f16) ggml_fp16_to_fp32_row(half_buffer_.data(), convert_buffer_.data(), static_cast<int64_t>(n));
    if (kind == LoadSegment::Kind::ConvertF32ToF16) {
      ggml_fp32_to_fp16_row(convert_buffer_.data(), reinterpret_cast<ggml_fp16_t*>(out) + done, static_cast<int64_t>(n));
    } else {
      ggml_fp32_to_bf16_row(convert_buffer_.data(), reinterpret_cast<ggml_bf16_t*>(out) + done, static_cast<int64_t>(n));
    }
  }
}

size_t PlannedModelStream::Read(void* output, size_t size) {
  char* out = static_cast<char*>(output);
  size_t produced = 0;
  while (produced < size) {
    if (segment_ >= plan_.size()) {
      // Past the end, like a file stream: whisper.cpp's tensor loop stops on eof().
      at_end_ = true;
      std::memset(out + produced, 0, size - produced);
      return produced;
    }
    const LoadSegment& seg = plan_[segment_];
    const uint64_t available = seg.length - offset_in_segment_;
    const size_t take = static_cast<size_t>(std::min<uint64_t>(available, size - produced));
    switch (seg.kind) {
      case LoadSegment::Kind::Literal:
        std::memcpy(out + produced, seg.literal.data() + offset_in_segment_, take);
        break;
      case LoadSegment::Kind::CopyFromFile:
        CopyFromFile(out + produced, seg.file_offset + offset_in_segment_, take);
        break;
      case LoadSegment::Kind::ConvertF32ToF16:
      case LoadSegment::Kind::ConvertF16ToBF16:
      case LoadSegment::Kind::ConvertF32ToBF16:
        Convert(seg.kind, out + produced, seg.file_offset, offset_in_segment_, take);
        break;
    }
    produced += take;
    offset_in_segment_ += take;
    if (offset_in_segment_ == seg.length) {
      ++segment_;
      offset_in_segment_ = 0;
    }
  }
  return produced;
}

}  // namespace whisper_napi
