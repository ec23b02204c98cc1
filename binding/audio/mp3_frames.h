// Walks the frame headers of an MPEG audio (MP3) stream without decoding it.
//
// Decoders stop quietly at the end of whatever data there is, so a file cut short would
// be transcribed as if it were complete. The frame lengths in the headers (and the frame
// count in a Xing/Info header, when the encoder wrote one) tell us whether it was.
#pragma once

#include <cstdint>
#include <functional>

#include "audio/byte_source.h"

namespace whisper_napi {

struct Mp3Scan {
  uint64_t frames = 0;            // complete audio frames (not counting a Xing/Info frame)
  uint64_t declared_frames = 0;   // from a Xing/Info header; 0 if there is none
  uint32_t samples_per_frame = 0;
  uint32_t sample_rate = 0;
  bool last_frame_cut = false;    // the last header promises more bytes than the file has
  bool cancelled = false;         // `cancelled` said stop before the end

  bool truncated() const { return last_frame_cut || (declared_frames > 0 && frames < declared_frames); }
};

// Scans from the start (after any ID3v2 tag) to the end or a trailing tag, asking
// `cancelled` every few thousand steps.
Mp3Scan ScanMp3Frames(ByteSource& source, const std::function<bool()>& cancelled);

}  // namespace whisper_napi
