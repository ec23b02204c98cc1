#include "audio/mp3_frames.h"

#include <cstring>

namespace whisper_napi {
namespace {

struct FrameHeader {
  uint32_t length = 0;  // bytes, header included
  uint32_t samples = 0;
  uint32_t sample_rate = 0;
  int version = 0;      // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
  bool mono = false;
};

// ISO/IEC 11172-3 and 13818-3 tables, in kbit/s, indexed by bitrate index 1..14.
constexpr uint16_t kBitrates[5][14] = {
    {32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},  // MPEG-1 layer I
    {32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},     // MPEG-1 layer II
    {32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},      // MPEG-1 layer III
    {32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},     // MPEG-2/2.5 layer I
    {8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},          // MPEG-2/2.5 layers II, III
};
constexpr uint32_t kSampleRates[3] = {44100, 48000, 32000};  // MPEG-1; halved for 2, quartered for 2.5

// Free-format streams (bitrate index 0) have no length in their headers: not accepted.
bool ParseHeader(const uint8_t* h, FrameHeader& out) {
  if (h[0] != 0xFF || (h[1] & 0xE0) != 0xE0) return false;
  const int version = (h[1] >> 3) & 3;
  const int layer = 4 - ((h[1] >> 1) & 3);  // 1..3; 4 means the reserved value 0
  const int bitrate_index = h[2] >> 4;
  const int rate_index = (h[2] >> 2) & 3;
  if (version == 1 || layer == 4 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3) return false;
  const bool mpeg1 = version == 3;
  const int table = mpeg1 ? layer - 1 : (layer == 1 ? 3 : 4);
  const uint32_t bitrate = kBitrates[table][bitrate_index - 1] * 1000u;
  out.sample_rate = kSampleRates[rate_index] >> (mpeg1 ? 0 : version == 2 ? 1 : 2);
  out.samples = layer == 1 ? 384 : (layer == 3 && !mpeg1) ? 576 : 1152;
  const uint32_t padding = (h[2] >> 1) & 1;
  out.length = layer == 1 ? (12 * bitrate / out.sample_rate + padding) * 4 : out.samples / 8 * bitrate / out.sample_rate + padding;
  out.version = version;
  out.mono = (h[3] >> 6) == 3;
  return out.length > 4;
}

uint32_t BigEndian32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// The frame count of a Xing/Info header in the first frame, or 0.
uint64_t DeclaredFrames(ByteSource& source, uint64_t offset, const FrameHeader& header) {
  const uint32_t side_info = header.version == 3 ? (header.mono ? 17 : 32) : (header.mono ? 9 : 17);
  uint8_t tag[12];
  if (source.ReadAt(offset + 4 + side_info, tag, sizeof tag) != sizeof tag) return 0;
  if (std::memcmp(tag, "Xing", 4) != 0 && std::memcmp(tag, "Info", 4) != 0) return 0;
  return (BigEndian32(tag + 4) & 1) ? BigEndian32(tag + 8) : 0;
}

bool StartsWith(const uint8_t* bytes, size_t available, const char* prefix) {
  const size_t n = std::strlen(prefix);
  return available >= n && std::memcmp(bytes, prefix, n) == 0;
}

// Skips ID3v2 tags (there may be several) at `offset`.
uint64_t SkipId3v2(ByteSource& source, uint64_t offset) {
  uint8_t h[10];
  while (source.ReadAt(offset, h, sizeof h) == sizeof h && StartsWith(h, sizeof h, "ID3")) {
    const uint64_t size = (uint64_t{h[6] & 0x7Fu} << 21) | (uint64_t{h[7] & 0x7Fu} << 14) | (uint64_t{h[8] & 0x7Fu} << 7) | (h[9] & 0x7Fu);
    offset += 10 + size + ((h[5] & 0x10) ? 10 : 0);
  }
  return offset;
}

}  // namespace

Mp3Scan ScanMp3Frames(ByteSource& source, const std::function<bool()>& cancelled) {
  Mp3Scan scan;
  const uint64_t size = source.size();
  uint64_t offset = SkipId3v2(source, 0);
  bool first = true;
  for (uint64_t step = 0; offset < size; ++step) {
    if (step % 4096 == 0 && cancelled()) {
      scan.cancelled = true;
      break;
    }
    uint8_t h[8] = {};
    const size_t available = source.ReadAt(offset, h, sizeof h);
    // Tags that may follow the audio: ID3v1, APEv2, Lyrics3, another ID3v2.
    if (StartsWith(h, available, "TAG") || StartsWith(h, available, "APETAGEX") || StartsWith(h, available, "LYRICS") ||
        StartsWith(h, available, "ID3")) {
      break;
    }
    FrameHeader header;
    // After the first frame, only headers of the same stream count: a chance sync pattern
    // in junk bytes is not a frame.
    const bool is_frame = available >= 4 && ParseHeader(h, header) &&
                          (first || (header.sample_rate == scan.sample_rate && header.samples == scan.samples_per_frame));
    if (!is_frame) {
      // Not a frame: junk between frames (decoders resynchronise) or at the end. Skip to
      // the next byte that could start a frame header.
      uint8_t block[4096];
      const size_t n = source.ReadAt(offset + 1, block, sizeof block);
      const void* sync = std::memchr(block, 0xFF, n);
      offset += 1 + (sync ? static_cast<size_t>(static_cast<const uint8_t*>(sync) - block) : n);
      continue;
    }
    if (offset + header.length > size) {
      scan.last_frame_cut = true;
      break;
    }
    if (first) {
      scan.sample_rate = header.sample_rate;
      scan.samples_per_frame = header.samples;
      scan.declared_frames = DeclaredFrames(source, offset, header);
      first = false;
      if (scan.declared_frames > 0) {  // the Xing/Info frame carries no audio
        offset += header.length;
        continue;
      }
    }
    ++scan.frames;
    offset += header.length;
  }
  return scan;
}

}  // namespace whisper_napi
