// RAII owners for whisper.cpp handles, so no business code calls a free function.
#pragma once

#include <memory>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "whisper.h"

namespace whisper_napi {

struct WhisperContextDeleter {
  void operator()(whisper_context* ctx) const { whisper_free(ctx); }
};
struct WhisperStateDeleter {
  void operator()(whisper_state* state) const {
    whisper_free_state(state);
#if defined(__GLIBC__)
    // A state is 60-300 MB of buffers allocated on whichever pool thread built it. glibc
    // keeps freed memory in that thread's arena, so a process that frees states on several
    // threads (jobs with VAD or carried-over context never pool theirs) holds several
    // states' worth of RSS it no longer uses. Trimming hands it back; it costs a few ms,
    // off the JS thread.
    malloc_trim(0);
#endif
  }
};

struct WhisperVadContextDeleter {
  void operator()(whisper_vad_context* vad) const { whisper_vad_free(vad); }
};

using WhisperContextPtr = std::unique_ptr<whisper_context, WhisperContextDeleter>;
using WhisperStatePtr = std::unique_ptr<whisper_state, WhisperStateDeleter>;
using WhisperVadContextPtr = std::unique_ptr<whisper_vad_context, WhisperVadContextDeleter>;

}  // namespace whisper_napi
