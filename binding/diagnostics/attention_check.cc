#include "diagnostics/attention_check.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "core/native_error.h"
#include "ggml-alloc.h"
#include "ggml-backend.h"
#include "ggml.h"

namespace whisper_napi {
namespace {

// What whisper.cpp writes into op_params[6] of the nodes it marks (patch grouped-decoder-attention).
constexpr int32_t kGroupedMark = 0x6A0B1E;
constexpr int64_t kHeadDim = 64;  // every Whisper model's
constexpr int64_t kHeads = 6;     // tiny's
constexpr int kThreads = 2;

struct Case {
  int64_t rows;
  int64_t keys;
  bool masked;
};

struct GgmlContextDeleter {
  void operator()(ggml_context* ctx) const { ggml_free(ctx); }
};
struct BackendDeleter {
  void operator()(ggml_backend* backend) const { ggml_backend_free(backend); }
};
struct BufferDeleter {
  void operator()(ggml_backend_buffer* buffer) const { ggml_backend_buffer_free(buffer); }
};

struct Result {
  double upstream_error = 0;
  double grouped_error = 0;
  double scale = 0;
};

float HalfRounded(float x) { return ggml_fp16_to_fp32(ggml_fp32_to_fp16(x)); }

// Keys and values interleave the heads as whisper.cpp's caches do: one row of
// kHeads * kHeadDim values per position.
Result RunCase(ggml_backend_t backend, const Case& c, std::mt19937& rng) {
  const int64_t state = kHeads * kHeadDim;
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> q(kHeadDim * c.rows * kHeads), k(state * c.keys), v(state * c.keys);
  for (float& x : q) x = uniform(rng);
  for (float& x : k) x = HalfRounded(uniform(rng));
  // Values with a common offset: the sum grows with the keys, as attention over many similar
  // frames does, which is where an F16 accumulator loses the small terms.
  for (float& x : v) x = HalfRounded(0.5f + uniform(rng));
  // Causal-style mask: row r sees the first keys - rows + r + 1 keys.
  std::vector<float> mask(c.keys * c.rows, 0.0f);
  if (c.masked) {
    for (int64_t r = 0; r < c.rows; ++r) {
      for (int64_t j = c.keys - c.rows + r + 1; j < c.keys; ++j) mask[r * c.keys + j] = -INFINITY;
    }
  }
  const float scale = 1.0f / std::sqrt(static_cast<float>(kHeadDim));

  ggml_init_params params = {16 * ggml_tensor_overhead() + ggml_graph_overhead(), nullptr, true};
  std::unique_ptr<ggml_context, GgmlContextDeleter> ctx(ggml_init(params));
  if (!ctx) throw NativeError(ErrorCode::OutOfMemory, "checkAttentionKernels: ggml_init failed");
  ggml_tensor* tq = ggml_new_tensor_3d(ctx.get(), GGML_TYPE_F32, kHeadDim, c.rows, kHeads);
  ggml_tensor* tk = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F16, state, c.keys);
  ggml_tensor* tv = ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F16, state, c.keys);
  ggml_tensor* tmask = c.masked ? ggml_new_tensor_2d(ctx.get(), GGML_TYPE_F16, c.keys, c.rows) : nullptr;
  ggml_tensor* kview = ggml_view_3d(ctx.get(), tk, kHeadDim, c.keys, kHeads, tk->nb[1], ggml_element_size(tk) * kHeadDim, 0);
  ggml_tensor* vview = ggml_view_3d(ctx.get(), tv, kHeadDim, c.keys, kHeads, tv->nb[1], ggml_element_size(tv) * kHeadDim, 0);
  ggml_tensor* out = ggml_flash_attn_ext(ctx.get(), tq, kview, vview, tmask, scale, 0.0f, 0.0f);
  ggml_cgraph* graph = ggml_new_graph(ctx.get());
  ggml_build_forward_expand(graph, out);
  std::unique_ptr<ggml_backend_buffer, BufferDeleter> buffer(ggml_backend_alloc_ctx_tensors(ctx.get(), backend));
  if (!buffer) throw NativeError(ErrorCode::OutOfMemory, "checkAttentionKernels: could not allocate the tensors");

  ggml_backend_tensor_set(tq, q.data(), 0, ggml_nbytes(tq));
  std::vector<ggml_fp16_t> half(state * c.keys);
  ggml_fp32_to_fp16_row(k.data(), half.data(), static_cast<int64_t>(half.size()));
  ggml_backend_tensor_set(tk, half.data(), 0, ggml_nbytes(tk));
  ggml_fp32_to_fp16_row(v.data(), half.data(), static_cast<int64_t>(half.size()));
  ggml_backend_tensor_set(tv, half.data(), 0, ggml_nbytes(tv));
  if (tmask) {
    std::vector<ggml_fp16_t> mask16(mask.size());
    ggml_fp32_to_fp16_row(mask.data(), mask16.data(), static_cast<int64_t>(mask.size()));
    ggml_backend_tensor_set(tmask, mask16.data(), 0, ggml_nbytes(tmask));
  }

  // The output is [kHeadDim, kHeads, rows]: element (d, h, r) at d + kHeadDim * (h + kHeads * r).
  const auto compute = [&](bool grouped) {
    out->op_params[6] = grouped ? kGroupedMark : 0;
    if (ggml_backend_graph_compute(backend, graph) != GGML_STATUS_SUCCESS) {
      throw NativeError(ErrorCode::Native, "checkAttentionKernels: the graph failed to compute");
    }
    std::vector<float> result(ggml_nelements(out));
    ggml_backend_tensor_get(out, result.data(), 0, ggml_nbytes(out));
    return result;
  };
  const std::vector<float> upstream = compute(false);
  const std::vector<float> grouped = compute(true);

  Result result;
  std::vector<double> scores(c.keys), exact(kHeadDim);
  for (int64_t h = 0; h < kHeads; ++h) {
    for (int64_t r = 0; r < c.rows; ++r) {
      const float* qr = &q[kHeadDim * (r + c.rows * h)];
      double top = -INFINITY;
      for (int64_t j = 0; j < c.keys; ++j) {
        double dot = 0;
        for (int64_t d = 0; d < kHeadDim; ++d) dot += static_cast<double>(qr[d]) * k[state * j + kHeadDim * h + d];
        scores[j] = dot * scale + mask[r * c.keys + j];
        top = std::max(top, scores[j]);
      }
      double sum = 0;
      std::fill(exact.begin(), exact.end(), 0.0);
      for (int64_t j = 0; j < c.keys; ++j) {
        const double p = std::exp(scores[j] - top);
        sum += p;
        for (int64_t d = 0; d < kHeadDim; ++d) exact[d] += p * v[state * j + kHeadDim * h + d];
      }
      for (int64_t d = 0; d < kHeadDim; ++d) {
        const double want = exact[d] / sum;
        const size_t at = static_cast<size_t>(d + kHeadDim * (h + kHeads * r));
        result.scale = std::max(result.scale, std::fabs(want));
        result.upstream_error = std::max(result.upstream_error, std::fabs(upstream[at] - want));
        result.grouped_error = std::max(result.grouped_error, std::fabs(grouped[at] - want));
      }
    }
  }
  return result;
}

}  // namespace

Napi::Value CheckAttentionKernels(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<std::pair<Case, Result>> results;
  const std::optional<NativeError> error = CatchNativeErrors("attention check", [&] {
    ggml_backend_dev_t cpu = ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU);
    if (!cpu) throw NativeError(ErrorCode::Native, "checkAttentionKernels: no CPU backend is registered");
    std::unique_ptr<ggml_backend, BackendDeleter> backend(ggml_backend_dev_init(cpu, nullptr));
    if (!backend) throw NativeError(ErrorCode::Native, "checkAttentionKernels: the CPU backend did not start");
    ggml_backend_reg_t reg = ggml_backend_dev_backend_reg(cpu);
    auto set_threads = reinterpret_cast<ggml_backend_set_n_threads_t>(ggml_backend_reg_get_proc_address(reg, "ggml_backend_set_n_threads"));
    if (set_threads) set_threads(backend.get(), kThreads);

    const Case cases[] = {
        {5, 1500, false},  // 5 beams against the encoder's frames
        {1, 1500, false},  // greedy: one row, keys split among the threads
        {24, 1500, false}, // a prompt's rows
        {5, 40, true},     // self-attention of 5 beams, masked
        // The tiled kernel (64 rows or more), with or without the mark:
        {256, 1500, false}, // an encoder's rows: K and V converted once a head and thread, a chunk across two heads
        {100, 1000, true},  // masked, partial tiles of rows and keys
        {64, 4160, false},  // more keys than GGML_NAPI_FA_KV_ONCE_MAX: tiles converted each time
    };
    std::mt19937 rng(20261207);
    for (const Case& c : cases) results.emplace_back(c, RunCase(backend.get(), c, rng));
  });
  if (error) throw MakeError(env, error->code(), error->what());
  Napi::Array array = Napi::Array::New(env);
  uint32_t i = 0;
  for (const auto& [c, r] : results) {
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("rows", Napi::Number::New(env, static_cast<double>(c.rows)));
    entry.Set("keys", Napi::Number::New(env, static_cast<double>(c.keys)));
    entry.Set("masked", Napi::Boolean::New(env, c.masked));
    entry.Set("upstreamError", Napi::Number::New(env, r.upstream_error));
    entry.Set("groupedError", Napi::Number::New(env, r.grouped_error));
    entry.Set("scale", Napi::Number::New(env, r.scale));
    array.Set(i++, entry);
  }
  return array;
}

}  // namespace whisper_napi
