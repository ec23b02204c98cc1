// Functions our patches add to the pinned whisper.cpp (scripts/whisper-cpp-patches.js,
// scripts/patches/). They are not in whisper.h, which stays as upstream ships it.
#pragma once

#include <cstdint>

#include "whisper.h"

// patch vad-with-state: whisper_full() (VAD step included) on an explicit state.
int whisper_napi_full_with_state(whisper_context* ctx, whisper_state* state, whisper_full_params params,
                                 const float* samples, int n_samples);

// patch vad-with-state: a time in processed (VAD-trimmed) audio mapped to original-audio time.
int64_t whisper_napi_original_time(whisper_state* state, int64_t t);

// patch speculative-decoding: see scripts/patches/speculative-decoding.js. The draft
// callback runs before each greedy decoder pass (n_max may be 0), and once more with
// draft == nullptr when the pass is over.
typedef int (*whisper_napi_draft_callback)(const whisper_token* tokens, int n_tokens, int n_prompt, int n_accepted,
                                           whisper_token* draft, int n_max, void* user_data);
void whisper_napi_set_draft_callback(whisper_state* state, whisper_napi_draft_callback callback, void* user_data);
int whisper_napi_encode_like(whisper_context* ctx, whisper_state* state, whisper_state* source, bool share_encoder_output,
                             int n_threads, ggml_abort_callback abort_callback, void* abort_callback_data);
int whisper_napi_encoders_equal(whisper_context* a, whisper_context* b);
int whisper_napi_encoder_passes(whisper_state* state);
int whisper_napi_exact_verification(whisper_context* ctx, whisper_state* state);

// patch sampler-seed: every later whisper_full call on the state seeds decoder j's sampler
// with std::mt19937(seed + j) (scripts/patches/sampler-seed.js).
void whisper_napi_set_sampler_seed(whisper_state* state, uint32_t seed);

// patch independent-windows: whether each window of a later whisper_full call is conditioned
// on the text decoded before it in that call (default true, as upstream).
void whisper_napi_set_window_context(whisper_state* state, bool enabled);

// patch loop-stop: when every decoder still going ends its text with a phrase of 1 to 8
// tokens said `repeats` times in a row, they fail there, not at the 220-token limit (0: off,
// as upstream).
void whisper_napi_set_loop_repeats(whisper_state* state, int repeats);
// patch grouped-decoder-attention: whether the decoder's attention is computed by the CPU
// backend's grouped kernel (each head's beams together, F32 accumulation: faster beam search
// on the CPU; exact to F32 where upstream's F16 sums are off by 1-2 %, so results differ
// from upstream's). Default false.
void whisper_napi_set_grouped_attention(whisper_state* state, bool enabled);
// Tokens the decoder has computed on the state so far, prompts excluded.
int whisper_napi_decoded_tokens(whisper_state* state);
