// A check of patch grouped-decoder-attention's kernel, for the tests: flash attention on
// seeded random inputs shaped like a Whisper decoder's, computed by the CPU backend with
// ggml's kernel and with the grouped one, each compared with an F64 computation of the
// same inputs (F16 keys and values, as whisper.cpp's caches hold them).
#pragma once

#include <napi.h>

namespace whisper_napi {

// checkGroupedAttention(): [{ rows, keys, masked, upstreamError, groupedError, scale }], one
// entry per case (beams against the encoder's frames, one row (greedy, the split-KV path),
// a prompt's rows, masked self-attention). Errors are the largest absolute difference from
// the F64 result; `scale` is the largest absolute value of that result. Synchronous: about a
// tenth of a second, most of it the F64 reference.
Napi::Value CheckGroupedAttention(const Napi::CallbackInfo& info);

}  // namespace whisper_napi
