// Feeds a checked model file to whisper.cpp through its whisper_model_loader interface,
// following the LoadPlan built by InspectModelFile (plain copy, or a rewrite: f32 -> f16,
// f16 or f32 -> bf16).
#pragma once

#include <fstream>
#include <memory>
#include <vector>

#include "ggml.h"
#include "model/model_file.h"
#include "whisper.h"

namespace whisper_napi {

class PlannedModelStream {
 public:
  explicit PlannedModelStream(const ModelFile& file);

  // The callbacks whisper.cpp calls; valid while this object lives.
  whisper_model_loader Loader();

  // True if the file could not be read as planned (changed on disk, I/O error).
  bool failed() const { return failed_; }

 private:
  size_t Read(void* output, size_t size);
  bool AtEnd() const { return at_end_; }
  void SeekTo(uint64_t offset);
  void CopyFromFile(char* out, uint64_t file_offset, size_t size);
  // A conversion segment's `size` output bytes from `offset_in_segment` on.
  void Convert(LoadSegment::Kind kind, char* out, uint64_t file_offset, uint64_t offset_in_segment, size_t size);
  bool ReadInParallel(char* out, uint64_t file_offset, size_t size);

  std::string path_;
  std::shared_ptr<std::ifstream> stream_;  // opened by InspectModelFile
  std::ifstream& in_;
  const std::vector<LoadSegment>& plan_;
  size_t segment_ = 0;
  uint64_t offset_in_segment_ = 0;
  uint64_t file_position_ = 0;
  bool at_end_ = false;
  bool failed_ = false;
  std::vector<float> convert_buffer_;
  std::vector<ggml_fp16_t> half_buffer_;
};

}  // namespace whisper_napi
