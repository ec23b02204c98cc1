#include "model_loader.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "ggml.h"

namespace whisper_napi {

PlannedModelStream::PlannedModelStream(const ModelFile& file)
    : stream_(file.stream), in_(*stream_), plan_(file.plan) {
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
        SeekTo(seg.file_offset + offset_in_segment_);
        in_.read(out + produced, static_cast<std::streamsize>(take));
        file_position_ += take;
        if (!in_) {
          failed_ = true;
          in_.clear();
          file_position_ = UINT64_MAX;  // unknown: seek before the next read
          std::memset(out + produced, 0, take);
        }
        break;
      case LoadSegment::Kind::ConvertF32ToF16: {
        // whisper.cpp reads a tensor's data in one call, so `take` covers whole f16 values.
        // Convert in bounded chunks: a token embedding alone can be hundreds of MB.
        constexpr size_t kChunk = 1 << 20;
        const size_t count = take / sizeof(ggml_fp16_t);
        SeekTo(seg.file_offset + offset_in_segment_ * 2);
        auto* dst = reinterpret_cast<ggml_fp16_t*>(out + produced);
        for (size_t done = 0; done < count; done += kChunk) {
          const size_t n = std::min(kChunk, count - done);
          convert_buffer_.resize(n);
          in_.read(reinterpret_cast<char*>(convert_buffer_.data()), static_cast<std::streamsize>(n * sizeof(float)));
          file_position_ += n * sizeof(float);
          if (!in_) {
            failed_ = true;
            in_.clear();
            std::fill(convert_buffer_.begin(), convert_buffer_.end(), 0.0f);
          }
          ggml_fp32_to_fp16_row(convert_buffer_.data(), dst + done, static_cast<int64_t>(n));
        }
        break;
      }
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
