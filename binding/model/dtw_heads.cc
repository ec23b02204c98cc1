#include "model/dtw_heads.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <utility>

#include "core/native_error.h"

namespace whisper_napi {

namespace {

struct Preset {
  const char* name;
  whisper_alignment_heads_preset value;
  int32_t n_text_layer;  // the decoder the heads belong to
  int32_t n_text_head;
};

// whisper.cpp 1.9.1's presets (g_aheads in src/whisper.cpp), named like model.info.type.
// whisper.cpp checks a preset's heads only when it makes a state (a job's first moments).
constexpr Preset kPresets[] = {
    {"tiny.en", WHISPER_AHEADS_TINY_EN, 4, 6},      {"tiny", WHISPER_AHEADS_TINY, 4, 6},
    {"base.en", WHISPER_AHEADS_BASE_EN, 6, 8},      {"base", WHISPER_AHEADS_BASE, 6, 8},
    {"small.en", WHISPER_AHEADS_SMALL_EN, 12, 12},  {"small", WHISPER_AHEADS_SMALL, 12, 12},
    {"medium.en", WHISPER_AHEADS_MEDIUM_EN, 24, 16}, {"medium", WHISPER_AHEADS_MEDIUM, 24, 16},
    {"large-v1", WHISPER_AHEADS_LARGE_V1, 32, 20},  {"large-v2", WHISPER_AHEADS_LARGE_V2, 32, 20},
    {"large-v3", WHISPER_AHEADS_LARGE_V3, 32, 20},  {"large-v3-turbo", WHISPER_AHEADS_LARGE_V3_TURBO, 4, 20},
};

// The most heads any preset has (large-v2): a preset's memory is sized for it.
constexpr size_t kMaxPresetHeads = 23;

}  // namespace

size_t DtwMemorySize(const ModelHeader& header, size_t n_heads) {
  // Rows: the window's text tokens (whisper.cpp decodes at most n_text_ctx/2 - 4 per
  // window) plus <|startoftranscript|>, the language, <|notimestamps|> and <|endoftext|>.
  const size_t tokens = static_cast<size_t>(std::max(0, header.n_text_ctx)) / 2 + 4;
  const size_t frames = static_cast<size_t>(std::max(0, header.n_audio_ctx));
  const size_t weights = tokens * frames * n_heads * sizeof(float);
  // The weights, normalized, median-filtered; the mean and its scaled copy; the DTW's cost
  // and trace matrices; and room for ggml's object headers and the graph.
  const size_t needed = 3 * weights + 4 * (tokens + 1) * (frames + 1) * sizeof(float) + (8u << 20);
  return std::max<size_t>(needed, 128u << 20);  // whisper.cpp's default
}

void ApplyDtw(const DtwSpec& spec, const ModelHeader& header, whisper_context_params& params, DtwHeadStorage& storage) {
  size_t n_heads = 0;
  switch (spec.kind) {
    case DtwSpec::Kind::Off:
      return;
    case DtwSpec::Kind::Preset: {
      const auto* preset = std::find_if(std::begin(kPresets), std::end(kPresets), [&](const Preset& p) { return spec.preset == p.name; });
      if (preset == std::end(kPresets)) throw NativeError(ErrorCode::InvalidOption, "unknown alignment-head preset '" + spec.preset + "'");
      if (preset->n_text_layer != header.n_text_layer || preset->n_text_head != header.n_text_head) {
        throw NativeError(ErrorCode::InvalidOption, "the alignment heads of " + spec.preset + " belong to a decoder of " + std::to_string(preset->n_text_layer) +
                                                        " layers of " + std::to_string(preset->n_text_head) + " heads; this model's has " +
                                                        std::to_string(header.n_text_layer) + " of " + std::to_string(header.n_text_head));
      }
      params.dtw_aheads_preset = preset->value;
      n_heads = kMaxPresetHeads;
      break;
    }
    case DtwSpec::Kind::Custom: {
      if (spec.heads.empty()) throw NativeError(ErrorCode::InvalidOption, "the alignment-head list is empty");
      for (const whisper_ahead& head : spec.heads) {
        if (head.n_text_layer < 0 || head.n_text_layer >= header.n_text_layer || head.n_head < 0 || head.n_head >= header.n_text_head) {
          throw NativeError(ErrorCode::InvalidOption, "alignment head [" + std::to_string(head.n_text_layer) + ", " + std::to_string(head.n_head) +
                                                          "] does not exist: the model has " + std::to_string(header.n_text_layer) +
                                                          " text layers of " + std::to_string(header.n_text_head) + " heads");
        }
      }
      storage = std::make_shared<const std::vector<whisper_ahead>>(spec.heads);
      params.dtw_aheads_preset = WHISPER_AHEADS_CUSTOM;
      params.dtw_aheads = whisper_aheads{storage->size(), storage->data()};
      n_heads = storage->size();
      break;
    }
    case DtwSpec::Kind::TopLayers:
      if (spec.top_layers < 1 || spec.top_layers > header.n_text_layer) {
        throw NativeError(ErrorCode::InvalidOption, "topLayers must be between 1 and " + std::to_string(header.n_text_layer) +
                                                        " (the model's text layers), got " + std::to_string(spec.top_layers));
      }
      params.dtw_aheads_preset = WHISPER_AHEADS_N_TOP_MOST;
      params.dtw_n_top = spec.top_layers;
      n_heads = static_cast<size_t>(spec.top_layers) * static_cast<size_t>(std::max(0, header.n_text_head));
      break;
  }
  params.dtw_token_timestamps = true;
  params.flash_attn = false;  // whisper.cpp would turn DTW off instead
  params.dtw_mem_size = DtwMemorySize(header, n_heads);
}

}  // namespace whisper_napi
