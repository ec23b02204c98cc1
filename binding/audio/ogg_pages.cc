#include "audio/ogg_pages.h"

#include <cstring>

namespace whisper_napi {

// RFC 3533: a page is a 27-byte header ("OggS", version, flags, granule, serial, sequence,
// CRC, segment count), a segment table of byte counts, then the segments.
OggScan ScanOggPages(ByteSource& source, const std::function<bool()>& cancelled) {
  OggScan scan;
  const uint64_t size = source.size();
  uint64_t offset = 0;
  while (offset < size) {
    if (scan.pages % 1024 == 0 && cancelled()) {
      scan.cancelled = true;
      break;
    }
    uint8_t header[27];
    if (source.ReadAt(offset, header, sizeof header) != sizeof header) {
      scan.last_page_cut = true;
      break;
    }
    if (std::memcmp(header, "OggS", 4) != 0 || header[4] != 0) {
      scan.damaged = true;
      scan.damaged_at = offset;
      break;
    }
    const uint8_t segments = header[26];
    uint8_t table[255];
    if (source.ReadAt(offset + sizeof header, table, segments) != segments) {
      scan.last_page_cut = true;
      break;
    }
    uint64_t body = 0;
    for (uint8_t i = 0; i < segments; ++i) body += table[i];
    const uint64_t next = offset + sizeof header + segments + body;
    if (next > size) {
      scan.last_page_cut = true;
      break;
    }
    ++scan.pages;
    scan.ends_with_eos = (header[5] & 0x04) != 0;
    offset = next;
  }
  return scan;
}

}  // namespace whisper_napi
