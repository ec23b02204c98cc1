// DTW token timing (the `dtw` load option): which cross-attention heads whisper.cpp aligns
// tokens with, checked against the model and turned into whisper_context_params fields.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "model/model_file.h"
#include "whisper.h"

namespace whisper_napi {

struct DtwSpec {
  enum class Kind { Off, Preset, Custom, TopLayers };
  Kind kind = Kind::Off;
  std::string preset;                // Kind::Preset: whisper.cpp's preset, by model name ('base', 'tiny.en', ...)
  std::vector<whisper_ahead> heads;  // Kind::Custom: (text layer, head) pairs
  int top_layers = 0;                // Kind::TopLayers: every head of the last N text layers
  bool snap_to_pauses = true;        // word boundaries move to pauses (dtw_timing.h)
};

// Heads of a custom spec, in storage that must outlive the whisper_context: whisper.cpp
// keeps the pointer (ctx->params.dtw_aheads) and reads it whenever it makes a state.
using DtwHeadStorage = std::shared_ptr<const std::vector<whisper_ahead>>;

// Fills the dtw_* fields of `params` (and turns flash attention off: whisper.cpp cannot
// read attention weights from its flash kernel). Throws NativeError(InvalidOption) when
// the heads do not fit the model. `storage` receives the custom heads, if any.
void ApplyDtw(const DtwSpec& spec, const ModelHeader& header, whisper_context_params& params, DtwHeadStorage& storage);

// Bytes whisper.cpp's DTW step allocates at once per window (dtw_mem_size), for this model
// and this many heads: its ggml context holds three copies of the attention weights.
size_t DtwMemorySize(const ModelHeader& header, size_t n_heads);

}  // namespace whisper_napi
