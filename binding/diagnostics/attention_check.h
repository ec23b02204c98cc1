// A check of the CPU flash-attention kernels our patches touch, for the tests: flash
// attention on seeded random inputs shaped like a Whisper decoder's and encoder's, computed
// by the CPU backend with and without the mark of patch grouped-decoder-attention, each
// compared with an F64 computation of the same inputs (F16 keys and values, as
// whisper.cpp's caches hold them). Queries of 64 rows or more take ggml's tiled kernel either
// way (patch fa-tiled-kv-once: K and V converted once a head).
#pragma once

#include <napi.h>

namespace whisper_napi {

// checkAttentionKernels(): [{ rows, keys, masked, upstreamError, groupedError, scale }], one
// entry per case (beams against the encoder's frames, one row (greedy, the split-KV path),
// a prompt's rows, masked self-attention; then the tiled kernel: an encoder's rows, masked
// rows in partial tiles, keys too many to keep converted). Errors are the largest absolute
// difference from the F64 result; `scale` is the largest absolute value of that result.
// Synchronous: about half a second, most of it the F64 reference.
Napi::Value CheckAttentionKernels(const Napi::CallbackInfo& info);

}  // namespace whisper_napi
