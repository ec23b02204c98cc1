// Checks a Silero VAD model in whisper.cpp's ggml form before whisper.cpp loads it.
//
// whisper.cpp's VAD loader trusts the file even more than its model loader: it indexes
// four encoder layers whatever the header says, sizes buffers from unchecked lengths and
// reads past a truncated file. It also only runs the Silero v5/v6 architecture. So a VAD
// file is accepted only if it is exactly that architecture (header values and every
// tensor's name, type and shape) and complete; anything else is an InvalidModelError.
#pragma once

#include <string>

namespace whisper_napi {

// Throws NativeError (ModelNotFound or InvalidModel).
void CheckVadModelFile(const std::string& path);

}  // namespace whisper_napi
