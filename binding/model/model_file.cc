#include "model/model_file.h"

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "ggml.h"
#include "model/binary_reader.h"
#include "core/native_error.h"

namespace whisper_napi {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kGgmlMagic = 0x67676d6c;  // "ggml"
constexpr int32_t kQuantVersionFactor = 1000;  // GGML_QNT_VERSION_FACTOR
constexpr int32_t kMelFftBins = 201;           // WHISPER_N_FFT / 2 + 1
constexpr uint32_t kMaxTokenBytes = 4096;
constexpr int32_t kMaxTensorNameBytes = 256;

[[noreturn]] void Invalid(const std::string& path, const std::string& why) {
  throw NativeError(ErrorCode::InvalidModel, "'" + path + "' is not a usable ggml whisper model: " + why);
}

struct ExpectedTensor {
  int32_t type;
  std::array<int64_t, 4> ne;
};

// The tensors whisper.cpp v1.9.1 creates in whisper_model_load for these hyper-parameters,
// with the type and shape it will check the file against.
std::map<std::string, ExpectedTensor> ExpectedTensors(const ModelHeader& h, int32_t wtype) {
  const int32_t f32 = GGML_TYPE_F32;
  const int32_t conv_type = wtype == GGML_TYPE_F32 ? GGML_TYPE_F32 : GGML_TYPE_F16;
  const int64_t a = h.n_audio_state;
  const int64_t t = h.n_text_state;
  std::map<std::string, ExpectedTensor> out;
  auto add = [&](const std::string& name, int32_t type, int64_t ne0, int64_t ne1 = 1, int64_t ne2 = 1) {
    out[name] = ExpectedTensor{type, {ne0, ne1, ne2, 1}};
  };

  add("encoder.positional_embedding", f32, a, h.n_audio_ctx);
  add("encoder.conv1.weight", conv_type, 3, h.n_mels, a);
  add("encoder.conv1.bias", f32, 1, a);
  add("encoder.conv2.weight", conv_type, 3, a, a);
  add("encoder.conv2.bias", f32, 1, a);
  add("encoder.ln_post.weight", f32, a);
  add("encoder.ln_post.bias", f32, a);
  // A transformer block: layer norms and biases f32, matrices in the weight type. Both
  // self-attention and cross-attention have no key bias, as in OpenAI's model.
  auto attention = [&](const std::string& p, int64_t n) {
    add(p + ".query.weight", wtype, n, n);
    add(p + ".query.bias", f32, n);
    add(p + ".key.weight", wtype, n, n);
    add(p + ".value.weight", wtype, n, n);
    add(p + ".value.bias", f32, n);
    add(p + ".out.weight", wtype, n, n);
    add(p + ".out.bias", f32, n);
    add(p + "_ln.weight", f32, n);
    add(p + "_ln.bias", f32, n);
  };
  auto block = [&](const std::string& p, int64_t n, bool cross) {
    attention(p + "attn", n);
    if (cross) attention(p + "cross_attn", n);
    add(p + "mlp_ln.weight", f32, n);
    add(p + "mlp_ln.bias", f32, n);
    add(p + "mlp.0.weight", wtype, n, 4 * n);
    add(p + "mlp.0.bias", f32, 4 * n);
    add(p + "mlp.2.weight", wtype, 4 * n, n);
    add(p + "mlp.2.bias", f32, n);
  };
  for (int i = 0; i < h.n_audio_layer; ++i) block("encoder.blocks." + std::to_string(i) + ".", a, false);

  add("decoder.positional_embedding", f32, t, h.n_text_ctx);
  add("decoder.token_embedding.weight", wtype, t, h.n_vocab);
  add("decoder.ln.weight", f32, t);
  add("decoder.ln.bias", f32, t);
  for (int i = 0; i < h.n_text_layer; ++i) block("decoder.blocks." + std::to_string(i) + ".", t, true);
  return out;
}

// Weight types whose CPU kernels whisper.cpp's own tools produce and use.
// The ggml_type of the big matrices for each ggml_ftype whisper.cpp can load, or -1. Our own
// table: ggml_ftype_to_ggml_type() aborts the process on a value it does not know (found by
// fuzz/models.js: a damaged ftype field killed the process inside this validation).
int32_t WeightTypeOfFtype(int32_t ftype) {
  switch (ftype) {
    case GGML_FTYPE_ALL_F32: return GGML_TYPE_F32;
    case GGML_FTYPE_MOSTLY_F16: return GGML_TYPE_F16;
    case GGML_FTYPE_MOSTLY_Q4_0: return GGML_TYPE_Q4_0;
    case GGML_FTYPE_MOSTLY_Q4_1: return GGML_TYPE_Q4_1;
    case GGML_FTYPE_MOSTLY_Q5_0: return GGML_TYPE_Q5_0;
    case GGML_FTYPE_MOSTLY_Q5_1: return GGML_TYPE_Q5_1;
    case GGML_FTYPE_MOSTLY_Q8_0: return GGML_TYPE_Q8_0;
    case GGML_FTYPE_MOSTLY_Q2_K: return GGML_TYPE_Q2_K;
    case GGML_FTYPE_MOSTLY_Q3_K: return GGML_TYPE_Q3_K;
    case GGML_FTYPE_MOSTLY_Q4_K: return GGML_TYPE_Q4_K;
    case GGML_FTYPE_MOSTLY_Q5_K: return GGML_TYPE_Q5_K;
    case GGML_FTYPE_MOSTLY_Q6_K: return GGML_TYPE_Q6_K;
    default: return -1;
  }
}

bool IsSupportedWeightType(int32_t type) {
  switch (type) {
    case GGML_TYPE_F32: case GGML_TYPE_F16:
    case GGML_TYPE_Q4_0: case GGML_TYPE_Q4_1: case GGML_TYPE_Q5_0: case GGML_TYPE_Q5_1: case GGML_TYPE_Q8_0:
    case GGML_TYPE_Q2_K: case GGML_TYPE_Q3_K: case GGML_TYPE_Q4_K: case GGML_TYPE_Q5_K: case GGML_TYPE_Q6_K:
      return true;
    default:
      return false;
  }
}

void CheckHeader(const std::string& path, const ModelHeader& h) {
  auto in_range = [&](const char* name, int32_t value, int32_t lo, int32_t hi) {
    if (value < lo || value > hi) {
      Invalid(path, std::string("header field ") + name + " = " + std::to_string(value) + " is outside " +
                        std::to_string(lo) + ".." + std::to_string(hi));
    }
  };
  // whisper.cpp hard-codes the special-token ids of the 51864/51865/51866-token vocabularies.
  if (h.n_vocab < 51864 || h.n_vocab > 51866) {
    Invalid(path, "n_vocab = " + std::to_string(h.n_vocab) + ", but whisper models have 51864, 51865 or 51866 tokens");
  }
  // The encoder always sees a 30-s window: 3000 mel frames, 1500 positions after the stride-2 convolution.
  if (h.n_audio_ctx != 1500) Invalid(path, "n_audio_ctx = " + std::to_string(h.n_audio_ctx) + ", expected 1500");
  in_range("n_text_ctx", h.n_text_ctx, 64, 448);
  in_range("n_audio_state", h.n_audio_state, 1, 8192);
  in_range("n_audio_head", h.n_audio_head, 1, 256);
  // Layer counts beyond what whisper.cpp's fixed-size graph pools hold (~84 decoder layers)
  // abort at the first state allocation; real models have at most 32.
  in_range("n_audio_layer", h.n_audio_layer, 1, 64);
  in_range("n_text_state", h.n_text_state, 1, 8192);
  in_range("n_text_head", h.n_text_head, 1, 256);
  in_range("n_text_layer", h.n_text_layer, 1, 64);
  if (h.n_mels != 80 && h.n_mels != 128) Invalid(path, "n_mels = " + std::to_string(h.n_mels) + ", expected 80 or 128");
  if (h.n_text_state != h.n_audio_state) {
    Invalid(path, "n_text_state (" + std::to_string(h.n_text_state) + ") differs from n_audio_state (" +
                      std::to_string(h.n_audio_state) + ")");
  }
  if (h.n_audio_state % h.n_audio_head != 0 || h.n_text_state % h.n_text_head != 0) {
    Invalid(path, "the model width is not a multiple of its head count");
  }
  if (h.ftype < 0) Invalid(path, "negative ftype " + std::to_string(h.ftype));
}

int32_t WeightTypeOf(const std::string& path, int32_t ftype) {
  const int32_t type = WeightTypeOfFtype(ftype % kQuantVersionFactor);
  if (type < 0 || !IsSupportedWeightType(type)) {
    Invalid(path, "unsupported weight format (ftype " + std::to_string(ftype) +
                      "); supported: f32, f16, q4_0, q4_1, q5_0, q5_1, q8_0 and q2_k..q6_k");
  }
  return type;
}

std::vector<char> Bytes(const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  return std::vector<char>(p, p + size);
}

void Append(std::vector<char>& out, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  out.insert(out.end(), p, p + size);
}

class PlanBuilder {
 public:
  explicit PlanBuilder(std::vector<LoadSegment>& plan) : plan_(plan) {}

  void Copy(uint64_t offset, uint64_t length) {
    if (length == 0) return;
    if (!plan_.empty() && plan_.back().kind == LoadSegment::Kind::CopyFromFile &&
        plan_.back().file_offset + plan_.back().length == offset) {
      plan_.back().length += length;  // merge adjacent copies
      return;
    }
    LoadSegment s;
    s.kind = LoadSegment::Kind::CopyFromFile;
    s.file_offset = offset;
    s.length = length;
    plan_.push_back(std::move(s));
  }

  void Literal(std::vector<char> bytes) {
    LoadSegment s;
    s.kind = LoadSegment::Kind::Literal;
    s.length = bytes.size();
    s.literal = std::move(bytes);
    plan_.push_back(std::move(s));
  }

  // Stored data of `stored_bytes` at `offset`, converted from one float type to another
  // (f32 -> f16 or bf16: half the bytes; f16 -> bf16: as many).
  void Convert(LoadSegment::Kind kind, uint64_t offset, uint64_t stored_bytes) {
    LoadSegment s;
    s.kind = kind;
    s.file_offset = offset;
    s.length = kind == LoadSegment::Kind::ConvertF16ToBF16 ? stored_bytes : stored_bytes / 2;
    plan_.push_back(std::move(s));
  }

 private:
  std::vector<LoadSegment>& plan_;
};

}  // namespace

const char* WeightTypeName(int32_t type) {
  if (type < 0 || type >= GGML_TYPE_COUNT) return "unknown";
  return ggml_type_name(static_cast<ggml_type>(type));
}

ModelFile InspectModelFile(const std::string& path, bool bf16_weights) {
  const fs::path fspath = fs::u8path(path);
  std::error_code ec;
  const fs::file_status status = fs::status(fspath, ec);
  if (ec || !fs::exists(status)) {
    throw NativeError(ErrorCode::ModelNotFound, "model file not found: '" + path + "'");
  }
  if (fs::is_directory(status)) Invalid(path, "it is a directory, not a file");
  if (!fs::is_regular_file(status)) Invalid(path, "it is not a regular file");
  const uint64_t size = fs::file_size(fspath, ec);
  if (ec) Invalid(path, "cannot read its size (" + ec.message() + ")");

  auto stream = std::make_shared<std::ifstream>(fspath, std::ios::binary);
  if (!*stream) Invalid(path, "it cannot be opened for reading");

  ModelFile model;
  model.path = path;
  model.file_size = size;
  model.stream = stream;
  BinaryReader r(*stream, size, [&](const std::string& why) { Invalid(path, why); });
  PlanBuilder plan(model.plan);

  if (size < 4) Invalid(path, "the file is only " + std::to_string(size) + " bytes long");
  const uint32_t magic = r.Read<uint32_t>("magic number");
  if (magic != kGgmlMagic) {
    if (magic == 0x46554747) Invalid(path, "it is a GGUF file; whisper.cpp needs the older ggml format (ggml-*.bin)");
    Invalid(path, "wrong magic number (not a ggml file)");
  }

  ModelHeader& h = model.header;
  for (int32_t* field : {&h.n_vocab, &h.n_audio_ctx, &h.n_audio_state, &h.n_audio_head, &h.n_audio_layer,
                         &h.n_text_ctx, &h.n_text_state, &h.n_text_head, &h.n_text_layer, &h.n_mels, &h.ftype}) {
    *field = r.Read<int32_t>("header");
  }
  CheckHeader(path, h);
  model.weight_type = WeightTypeOf(path, h.ftype);
  model.converted_from_f32 = model.weight_type == GGML_TYPE_F32;
  model.bf16_weights = bf16_weights && (model.weight_type == GGML_TYPE_F16 || model.weight_type == GGML_TYPE_F32);
  const int32_t load_wtype = model.bf16_weights ? GGML_TYPE_BF16 : model.converted_from_f32 ? GGML_TYPE_F16 : model.weight_type;

  {
    ModelHeader presented = h;
    if (model.bf16_weights) {
      presented.ftype = GGML_FTYPE_MOSTLY_BF16;
    } else if (model.converted_from_f32) {
      presented.ftype = GGML_FTYPE_MOSTLY_F16;
    }
    std::vector<char> bytes = Bytes(&magic, sizeof magic);
    Append(bytes, &presented, sizeof presented);
    plan.Literal(std::move(bytes));
  }

  // Mel filter bank.
  const int32_t n_mel = r.Read<int32_t>("mel filter header");
  const int32_t n_fft = r.Read<int32_t>("mel filter header");
  if (n_mel != h.n_mels || n_fft != kMelFftBins) {
    Invalid(path, "mel filter bank is " + std::to_string(n_mel) + "x" + std::to_string(n_fft) + ", expected " +
                      std::to_string(h.n_mels) + "x" + std::to_string(kMelFftBins));
  }
  {
    std::vector<char> bytes;
    Append(bytes, &n_mel, sizeof n_mel);
    Append(bytes, &n_fft, sizeof n_fft);
    plan.Literal(std::move(bytes));
  }
  const uint64_t filters_start = r.position();
  const uint64_t filters_bytes = uint64_t(n_mel) * uint64_t(n_fft) * sizeof(float);
  r.Skip(filters_bytes, "mel filter bank");
  plan.Copy(filters_start, filters_bytes);

  // Vocabulary: kept in memory exactly as checked.
  const int32_t n_vocab = r.Read<int32_t>("vocabulary");
  if (n_vocab <= 0 || n_vocab > h.n_vocab) {
    Invalid(path, "vocabulary has " + std::to_string(n_vocab) + " entries; expected 1.." + std::to_string(h.n_vocab));
  }
  {
    std::vector<char> bytes;
    Append(bytes, &n_vocab, sizeof n_vocab);
    bool has_space_token = false;
    for (int32_t i = 0; i < n_vocab; ++i) {
      const uint32_t length = r.Read<uint32_t>("vocabulary");
      if (length > kMaxTokenBytes) {
        Invalid(path, "vocabulary entry " + std::to_string(i) + " claims " + std::to_string(length) + " bytes");
      }
      const std::string token = r.ReadString(length, "vocabulary");
      Append(bytes, &length, sizeof length);
      Append(bytes, token.data(), token.size());
      has_space_token = has_space_token || token == " ";
    }
    // whisper.cpp looks the lone space up with .at(" ") when suppressing blanks.
    if (!has_space_token) Invalid(path, "its vocabulary has no ' ' token (every whisper vocabulary has one)");
    plan.Literal(std::move(bytes));
  }
  model.vocab_entries = n_vocab;

  // Tensors: each one must be one whisper.cpp expects, once, with its type and shape.
  std::map<std::string, ExpectedTensor> expected = ExpectedTensors(h, model.weight_type);
  const size_t expected_count = expected.size();
  // What whisper.cpp will allocate for the presented header (used only when converting).
  const std::map<std::string, ExpectedTensor> loaded_as =
      load_wtype != model.weight_type ? ExpectedTensors(h, load_wtype) : std::map<std::string, ExpectedTensor>();
  while (r.remaining() > 0) {
    const uint64_t tensor_start = r.position();
    const int32_t n_dims = r.Read<int32_t>("tensor header");
    const int32_t name_length = r.Read<int32_t>("tensor header");
    const int32_t ttype = r.Read<int32_t>("tensor header");
    if (n_dims < 1 || n_dims > 4) Invalid(path, "tensor at offset " + std::to_string(tensor_start) + " has " + std::to_string(n_dims) + " dimensions");
    if (name_length < 1 || name_length > kMaxTensorNameBytes) {
      Invalid(path, "tensor at offset " + std::to_string(tensor_start) + " has a name length of " + std::to_string(name_length));
    }
    std::array<int64_t, 4> ne = {1, 1, 1, 1};
    for (int i = 0; i < n_dims; ++i) {
      const int32_t dim = r.Read<int32_t>("tensor header");
      if (dim < 1) Invalid(path, "tensor at offset " + std::to_string(tensor_start) + " has dimension " + std::to_string(dim));
      ne[i] = dim;
    }
    const std::string name = r.ReadString(uint64_t(name_length), "tensor name");
    auto it = expected.find(name);
    if (it == expected.end()) {
      const bool seen = name.find('\0') == std::string::npos && name.size() < 128;
      Invalid(path, seen ? "unexpected or duplicated tensor '" + name + "'" : "corrupt tensor name at offset " + std::to_string(tensor_start));
    }
    const ExpectedTensor want = it->second;
    if (ne != want.ne) {
      std::ostringstream why;
      why << "tensor '" << name << "' has shape [" << ne[0] << ", " << ne[1] << ", " << ne[2] << ", " << ne[3]
          << "], expected [" << want.ne[0] << ", " << want.ne[1] << ", " << want.ne[2] << ", " << want.ne[3] << "]";
      Invalid(path, why.str());
    }
    if (ttype != want.type) {
      Invalid(path, "tensor '" + name + "' is stored as " + WeightTypeName(ttype) + ", expected " + WeightTypeName(want.type));
    }
    const int64_t block = ggml_blck_size(static_cast<ggml_type>(ttype));
    if (ne[0] % block != 0) Invalid(path, "tensor '" + name + "' rows are not a whole number of quantization blocks");
    const uint64_t elements = uint64_t(ne[0]) * uint64_t(ne[1]) * uint64_t(ne[2]) * uint64_t(ne[3]);
    const uint64_t data_bytes = elements / uint64_t(block) * ggml_type_size(static_cast<ggml_type>(ttype));
    const uint64_t data_start = r.position();
    r.Skip(data_bytes, ("data of tensor '" + name + "'").c_str());
    expected.erase(it);

    // A tensor whisper.cpp will hold in another type than the file's (an f32 file's matrices
    // and convolution kernels; every matrix when bf16 was asked for) is converted on the way in.
    const int32_t presented_type = loaded_as.empty() ? ttype : loaded_as.at(name).type;
    std::vector<char> header;
    for (int32_t v : {n_dims, name_length, presented_type}) Append(header, &v, sizeof v);
    for (int i = 0; i < n_dims; ++i) {
      const int32_t v = static_cast<int32_t>(ne[i]);
      Append(header, &v, sizeof v);
    }
    Append(header, name.data(), name.size());
    plan.Literal(std::move(header));
    if (presented_type == ttype) {
      plan.Copy(data_start, data_bytes);
      model.tensor_bytes += data_bytes;
    } else {
      const LoadSegment::Kind kind = presented_type == GGML_TYPE_F16 ? LoadSegment::Kind::ConvertF32ToF16
                                     : ttype == GGML_TYPE_F16       ? LoadSegment::Kind::ConvertF16ToBF16
                                                                    : LoadSegment::Kind::ConvertF32ToBF16;
      plan.Convert(kind, data_start, data_bytes);
      model.tensor_bytes += kind == LoadSegment::Kind::ConvertF16ToBF16 ? data_bytes : data_bytes / 2;
    }
    model.tensor_count++;
  }

  if (model.tensor_count == 0) {
    Invalid(path, "it holds no weights (only a header and vocabulary, like whisper.cpp's for-tests-*.bin files)");
  }
  if (!expected.empty()) {
    Invalid(path, "it is missing " + std::to_string(expected.size()) + " of " + std::to_string(expected_count) +
                      " tensors, e.g. '" + expected.begin()->first + "' (the file may be truncated)");
  }
  return model;
}

}  // namespace whisper_napi
