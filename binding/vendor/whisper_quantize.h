// whisper.cpp's own model quantizer (examples/quantize), callable from the addon.
#pragma once

#include <string>

namespace whisper_napi {

// Quantizes the f16 model at `input` into `output` as `type` ("q8_0", "q5_0", "q5_1",
// "q4_0", "q4_1"). The input must have been checked by InspectModelFile, with widths that
// are multiples of 32: whisper.cpp's code trusts it and aborts otherwise. Returns false on
// failure; `log` receives what whisper.cpp's code reported (it would print it on stderr).
bool RunWhisperQuantize(const std::string& input, const std::string& output, const std::string& type, std::string& log);

}  // namespace whisper_napi
