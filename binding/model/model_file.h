// Reads and checks a ggml whisper model file before whisper.cpp sees it.
//
// whisper.cpp trusts its input: a truncated file makes it read garbage, a huge length
// makes it allocate without bound, an unknown tensor type indexes past a table, and some
// shapes only fail later in a GGML_ASSERT that aborts the process. InspectModelFile walks
// the whole layout (header, mel filters, vocabulary, every tensor header and the extent of
// its data) and compares every tensor with what whisper.cpp v1.9.1 will create for the
// header's hyper-parameters, so that anything whisper.cpp would choke on becomes a
// NativeError(InvalidModel) with a message naming the problem.
//
// It also produces the plan that model_loader feeds to whisper.cpp: every structural field
// (header, filter-bank size, vocabulary, tensor headers) comes from the bytes checked here,
// held in memory, and only bulk numbers (filter bank, tensor data) are read again from the
// same open file. A file rewritten between the check and the load can then change numbers,
// never the structure whisper.cpp parses. An all-f32 file (ftype 0), which whisper.cpp
// v1.9.1 loads and then aborts on at the first CPU encode (its im2col kernel requires f16
// convolution weights), is presented as ftype 1: matrices and convolution kernels are
// converted to f16 on the way in, exactly as whisper.cpp's own f16 files store them.
// Asked to (the bf16Weights load option), the matrices of an f16 or f32 file are presented
// as bf16 instead (ftype 24): ggml's bf16 matrix products use AVX-512 BF16 where the CPU has
// it, and whisper.cpp creates its weight tensors in whatever type the header names.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace whisper_napi {

struct ModelHeader {
  int32_t n_vocab = 0;
  int32_t n_audio_ctx = 0;
  int32_t n_audio_state = 0;
  int32_t n_audio_head = 0;
  int32_t n_audio_layer = 0;
  int32_t n_text_ctx = 0;
  int32_t n_text_state = 0;
  int32_t n_text_head = 0;
  int32_t n_text_layer = 0;
  int32_t n_mels = 0;
  int32_t ftype = 0;  // as stored: weight type + 1000 * quantization version
};

// One piece of the byte stream handed to whisper.cpp.
struct LoadSegment {
  enum class Kind { CopyFromFile, Literal, ConvertF32ToF16, ConvertF16ToBF16, ConvertF32ToBF16 };
  Kind kind = Kind::CopyFromFile;
  uint64_t file_offset = 0;     // CopyFromFile and the conversions
  uint64_t length = 0;          // bytes this segment contributes to the stream
  std::vector<char> literal;    // Literal
};

struct ModelFile {
  std::string path;
  uint64_t file_size = 0;
  ModelHeader header;
  int32_t weight_type = 0;            // ggml_type of the big matrices as stored
  int32_t vocab_entries = 0;          // tokens stored in the file (the rest are synthesized)
  int32_t tensor_count = 0;
  uint64_t tensor_bytes = 0;          // bytes of tensor data whisper.cpp will hold
  bool converted_from_f32 = false;    // the plan rewrites an f32 file's weights (to f16, or bf16)
  bool bf16_weights = false;          // the plan presents the matrices as bf16
  std::vector<LoadSegment> plan;
  std::shared_ptr<std::ifstream> stream;  // the file, still open, for the plan's copies
};

// Throws NativeError (ModelNotFound or InvalidModel) with a precise message. With
// `bf16_weights`, an f16 or f32 file's matrices are planned as bf16 (quantized files are
// loaded as they are).
ModelFile InspectModelFile(const std::string& path, bool bf16_weights = false);

// A short name for a ggml weight type ("f16", "q5_0", ...).
const char* WeightTypeName(int32_t ggml_type);

}  // namespace whisper_napi
