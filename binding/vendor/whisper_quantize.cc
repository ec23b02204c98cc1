// Compiles whisper.cpp's quantizer, examples/quantize/quantize.cpp and the
// ggml_common_quantize_0() it uses from examples/common-ggml.cpp, from the pinned tree into
// the addon, unchanged except that:
// - its main() is renamed, so that only whisper_model_quantize() is used;
// - its printf() progress lines (one per tensor, on stdout, which belongs to the host
//   application) are compiled out, and its fprintf() lines (header facts and errors, on
//   stderr) are collected for the error message instead.
#include "whisper_quantize.h"

#include <cstdarg>
#include <cstdio>
#include <string>

namespace {

// The lines of the quantization running on this thread (one call at a time per thread).
thread_local std::string quantize_log;

int CollectLine(FILE* /*stream*/, const char* format, ...) {
  char line[512];
  va_list args;
  va_start(args, format);
  const int n = std::vsnprintf(line, sizeof line, format, args);
  va_end(args);
  quantize_log += line;
  return n;
}

}  // namespace

#define printf(...) ((void)0)
#define fprintf(stream, ...) CollectLine(stream, __VA_ARGS__)
#define main whisper_cpp_quantize_example_main
#include "quantize/quantize.cpp"
#undef main
#include "common-ggml.cpp"
#undef printf
#undef fprintf

namespace whisper_napi {

bool RunWhisperQuantize(const std::string& input, const std::string& output, const std::string& type, std::string& log) {
  quantize_log.clear();
  const ggml_ftype ftype = type == "q8_0"   ? GGML_FTYPE_MOSTLY_Q8_0
                           : type == "q5_0" ? GGML_FTYPE_MOSTLY_Q5_0
                           : type == "q5_1" ? GGML_FTYPE_MOSTLY_Q5_1
                           : type == "q4_0" ? GGML_FTYPE_MOSTLY_Q4_0
                           : type == "q4_1" ? GGML_FTYPE_MOSTLY_Q4_1
                                            : GGML_FTYPE_UNKNOWN;
  if (ftype == GGML_FTYPE_UNKNOWN) return false;
  // As quantize.cpp's main() does: the first ggml_init() sets up the f16 conversion tables.
  ggml_init_params params = {0, nullptr, false};
  ggml_free(ggml_init(params));
  const bool ok = whisper_model_quantize(input, output, ftype);
  log = std::move(quantize_log);
  quantize_log.clear();
  return ok;
}

}  // namespace whisper_napi
