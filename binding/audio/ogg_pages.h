// Walks the pages of an Ogg stream without decoding it, to tell a complete file from one
// cut short: stb_vorbis stops quietly at the last whole page, so a truncated file would
// otherwise be transcribed as if it were complete.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "audio/byte_source.h"

namespace whisper_napi {

struct OggScan {
  uint64_t pages = 0;
  bool last_page_cut = false;  // a page header promises more bytes than the file has
  bool ends_with_eos = false;  // the last page carries the end-of-stream flag
  bool damaged = false;        // no page where the previous one said the next would start
  bool cancelled = false;      // `cancelled` said stop before the end
  uint64_t damaged_at = 0;
};

OggScan ScanOggPages(ByteSource& source, const std::function<bool()>& cancelled);

}  // namespace whisper_napi
