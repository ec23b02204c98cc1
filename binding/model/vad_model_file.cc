#include "model/vad_model_file.h"

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <system_error>
#include <vector>

#include "model/binary_reader.h"
#include "ggml.h"
#include "core/native_error.h"

namespace whisper_napi {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void Invalid(const std::string& path, const std::string& why) {
  throw NativeError(ErrorCode::InvalidModel, "'" + path + "' is not a usable Silero VAD model: " + why);
}

struct Tensor {
  int32_t type;
  std::array<int64_t, 4> ne;
};

// The Silero v5/v6 network as whisper.cpp builds it (whisper_vad_init_with_params).
constexpr int32_t kEncoderLayers[4][3] = {{129, 128, 3}, {128, 64, 3}, {64, 64, 3}, {64, 128, 3}};
constexpr int32_t kLstmSize = 128;
constexpr int32_t kWindow = 512;
constexpr int32_t kContext = 64;

std::map<std::string, Tensor> ExpectedTensors() {
  const int32_t f16 = GGML_TYPE_F16;
  const int32_t f32 = GGML_TYPE_F32;
  std::map<std::string, Tensor> out;
  out["_model.stft.forward_basis_buffer"] = {f16, {256, 1, 258, 1}};
  for (int i = 0; i < 4; ++i) {
    const std::string p = "_model.encoder." + std::to_string(i) + ".reparam_conv.";
    out[p + "weight"] = {f16, {kEncoderLayers[i][2], kEncoderLayers[i][0], kEncoderLayers[i][1], 1}};
    out[p + "bias"] = {f32, {kEncoderLayers[i][1], 1, 1, 1}};
  }
  out["_model.decoder.rnn.weight_ih"] = {f32, {kLstmSize, 4 * kLstmSize, 1, 1}};
  out["_model.decoder.rnn.weight_hh"] = {f32, {kLstmSize, 4 * kLstmSize, 1, 1}};
  out["_model.decoder.rnn.bias_ih"] = {f32, {4 * kLstmSize, 1, 1, 1}};
  out["_model.decoder.rnn.bias_hh"] = {f32, {4 * kLstmSize, 1, 1, 1}};
  out["_model.decoder.decoder.2.weight"] = {f16, {kLstmSize, 1, 1, 1}};
  out["_model.decoder.decoder.2.bias"] = {f32, {1, 1, 1, 1}};
  return out;
}

}  // namespace

void CheckVadModelFile(const std::string& path) {
  const fs::path fspath = fs::u8path(path);
  std::error_code ec;
  const fs::file_status status = fs::status(fspath, ec);
  if (ec || !fs::exists(status)) throw NativeError(ErrorCode::ModelNotFound, "VAD model file not found: '" + path + "'");
  if (!fs::is_regular_file(status)) Invalid(path, "it is not a regular file");
  const uint64_t size = fs::file_size(fspath, ec);
  if (ec) Invalid(path, "cannot read its size (" + ec.message() + ")");
  std::ifstream in(fspath, std::ios::binary);
  if (!in) Invalid(path, "it cannot be opened for reading");
  BinaryReader r(in, size, [&](const std::string& why) { Invalid(path, why); });

  if (r.Read<uint32_t>("magic number") != 0x67676d6c) Invalid(path, "wrong magic number (not a ggml file)");
  const int32_t type_length = r.Read<int32_t>("header");
  if (type_length < 1 || type_length > 64) Invalid(path, "model type name length " + std::to_string(type_length));
  const std::string type = r.ReadString(uint64_t(type_length), "header");
  if (type.rfind("silero", 0) != 0) Invalid(path, "model type is '" + type + "', not a Silero VAD");
  r.Skip(3 * sizeof(int32_t), "header");  // version
  const int32_t window = r.Read<int32_t>("header");
  const int32_t context = r.Read<int32_t>("header");
  if (window != kWindow || context != kContext) Invalid(path, "window/context sizes differ from Silero v5/v6");
  if (r.Read<int32_t>("header") != 4) Invalid(path, "encoder layer count is not 4 (Silero v5/v6)");
  for (const auto& layer : kEncoderLayers) {
    for (int32_t expected : layer) {
      if (r.Read<int32_t>("header") != expected) Invalid(path, "encoder layer sizes differ from Silero v5/v6");
    }
  }
  for (int32_t expected : {kLstmSize, kLstmSize, kLstmSize, 1}) {
    if (r.Read<int32_t>("header") != expected) Invalid(path, "LSTM/output sizes differ from Silero v5/v6");
  }

  std::map<std::string, Tensor> expected = ExpectedTensors();
  while (r.remaining() > 0) {
    const int32_t n_dims = r.Read<int32_t>("tensor header");
    const int32_t name_length = r.Read<int32_t>("tensor header");
    const int32_t ttype = r.Read<int32_t>("tensor header");
    if (n_dims < 0 || n_dims > 4 || name_length < 1 || name_length > 256) Invalid(path, "corrupt tensor header");
    std::array<int64_t, 4> ne = {1, 1, 1, 1};
    for (int i = 0; i < n_dims; ++i) {
      const int32_t dim = r.Read<int32_t>("tensor header");
      if (dim < 1) Invalid(path, "corrupt tensor dimension");
      ne[i] = dim;
    }
    const std::string name = r.ReadString(uint64_t(name_length), "tensor name");
    auto it = expected.find(name);
    if (it == expected.end()) Invalid(path, "unexpected or duplicated tensor");
    // whisper.cpp compares element counts and the first three dimensions.
    if (ne != it->second.ne || ttype != it->second.type) Invalid(path, "tensor '" + name + "' has the wrong shape or type");
    const uint64_t elements = uint64_t(ne[0]) * uint64_t(ne[1]) * uint64_t(ne[2]) * uint64_t(ne[3]);
    r.Skip(elements * ggml_type_size(static_cast<ggml_type>(ttype)), "tensor data");
    expected.erase(it);
  }
  if (!expected.empty()) Invalid(path, "it is missing tensors (the file may be truncated)");
}

}  // namespace whisper_napi
