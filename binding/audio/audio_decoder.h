// Decodes MP3, FLAC and Ogg Vorbis on a worker thread with the decoders whisper.cpp ships
// (miniaudio's dr_mp3 and dr_flac, stb_vorbis), straight into an AudioSignal: the decoded
// source is never held in full, only 4096 frames at a time.
#pragma once

#include <cstdint>
#include <string>

#include "audio/audio_signal.h"

namespace whisper_napi {

enum class CompressedFormat { Mp3, Flac, Vorbis };

// Parses 'mp3' | 'flac' | 'vorbis'; false for anything else.
bool ParseCompressedFormat(const std::string& name, CompressedFormat& out);

// Where the encoded bytes are: a file (UTF-8 path) or memory that outlives the call.
struct EncodedAudio {
  std::string path;
  const uint8_t* data = nullptr;
  size_t size = 0;
};

struct DecodedFacts {
  uint32_t sample_rate = 0;
  uint32_t channels = 0;
  uint64_t frames = 0;  // source frames decoded
};

// Decodes the whole stream (or up to the signal's limit) and finishes the signal. Throws
// NativeError: AudioDecode for damaged or truncated data, Aborted after signal.Cancel().
DecodedFacts DecodeCompressed(const EncodedAudio& source, CompressedFormat format, AudioSignal& signal);

}  // namespace whisper_napi
