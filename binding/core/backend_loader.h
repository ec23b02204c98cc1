// ggml's backends in portable builds (WHISPER_NAPI_PORTABLE): ggml and its backend
// libraries sit next to the .node, and nothing is registered until they are loaded from
// there. Static builds have their backends linked in; these calls then do nothing.
#pragma once

#include <string>

namespace whisper_napi {

// Loads the best CPU variant and any other backend library found beside this .node, once
// per process (ggml's registry is process-wide), before any model is loaded.
void LoadBackendsOnce();

// The file the CPU backend's code came from, e.g. ".../libggml-cpu-haswell.so"; empty in
// static builds, where it is part of the .node itself.
std::string CpuBackendFile();

}  // namespace whisper_napi
