#include "audio/audio_decoder.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "audio/byte_source.h"
#include "audio/mp3_frames.h"
#include "audio/ogg_pages.h"
#include "core/native_error.h"
#include "vendor/miniaudio_config.h"

#ifdef _WIN32
#include <windows.h>
#endif

namespace whisper_napi {
namespace {

const char* FormatName(CompressedFormat format) {
  switch (format) {
    case CompressedFormat::Mp3: return "MP3";
    case CompressedFormat::Flac: return "FLAC";
    case CompressedFormat::Vorbis: return "Ogg Vorbis";
  }
  return "audio";
}

ma_encoding_format EncodingFormat(CompressedFormat format) {
  switch (format) {
    case CompressedFormat::Mp3: return ma_encoding_format_mp3;
    case CompressedFormat::Flac: return ma_encoding_format_flac;
    case CompressedFormat::Vorbis: return ma_encoding_format_vorbis;
  }
  return ma_encoding_format_unknown;
}

// RAII for an initialised ma_decoder.
class Decoder {
 public:
  Decoder(const EncodedAudio& source, CompressedFormat format) {
    // f32 at the stream's own rate and channel count: AudioSignal does the conversion.
    ma_decoder_config config = ma_decoder_config_init(ma_format_f32, 0, 0);
    config.encodingFormat = EncodingFormat(format);
    ma_result result;
    if (source.data != nullptr) {
      result = ma_decoder_init_memory(source.data, source.size, &config, &decoder_);
    } else {
#ifdef _WIN32
      // miniaudio's narrow-path API goes through the ANSI code page on Windows.
      std::FILE* probe = OpenFileForReading(source.path);  // also reports a missing file
      if (!probe) throw NativeError(ErrorCode::InvalidAudio, "cannot open audio file " + source.path);
      std::fclose(probe);
      const int length = MultiByteToWideChar(CP_UTF8, 0, source.path.c_str(), -1, nullptr, 0);
      std::wstring wide(static_cast<size_t>(length), L'\0');
      MultiByteToWideChar(CP_UTF8, 0, source.path.c_str(), -1, wide.data(), length);
      result = ma_decoder_init_file_w(wide.c_str(), &config, &decoder_);
#else
      result = ma_decoder_init_file(source.path.c_str(), &config, &decoder_);
#endif
    }
    if (result != MA_SUCCESS) {
      throw NativeError(ErrorCode::AudioDecode, std::string("cannot decode the ") + FormatName(format) +
                                                    " stream: " + ma_result_description(result));
    }
  }
  ~Decoder() { ma_decoder_uninit(&decoder_); }
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  ma_decoder* get() { return &decoder_; }

 private:
  ma_decoder decoder_{};
};

std::unique_ptr<ByteSource> OpenBytes(const EncodedAudio& source) {
  if (source.data != nullptr) return std::make_unique<MemoryBytes>(source.data, source.size);
  return std::make_unique<FileBytes>(source.path);
}

uint64_t EncodedSize(const EncodedAudio& source) { return OpenBytes(source)->size(); }

[[noreturn]] void ThrowAborted() { throw NativeError(ErrorCode::Aborted, "audio decoding was aborted"); }

// Checks an MP3 for a cut-off end before decoding, and estimates its length.
Mp3Scan CheckMp3(const EncodedAudio& source, const AudioSignal& signal) {
  const Mp3Scan scan = ScanMp3Frames(*OpenBytes(source), [&] { return signal.cancelled(); });
  if (scan.cancelled) ThrowAborted();
  if (scan.frames == 0 && !scan.last_frame_cut) {
    throw NativeError(ErrorCode::AudioDecode, "the MP3 stream holds no complete MPEG audio frame");
  }
  if (scan.last_frame_cut) {
    throw NativeError(ErrorCode::AudioDecode, "the MP3 file is truncated: its last frame is cut off after " +
                                                  std::to_string(scan.frames) + " complete frames");
  }
  if (scan.truncated()) {
    throw NativeError(ErrorCode::AudioDecode, "the MP3 file is truncated: its header announces " +
                                                  std::to_string(scan.declared_frames) + " frames, the file holds " +
                                                  std::to_string(scan.frames));
  }
  return scan;
}

// Checks an Ogg file for a cut-off end (or damage between pages) before decoding.
void CheckOgg(const EncodedAudio& source, const AudioSignal& signal) {
  const OggScan scan = ScanOggPages(*OpenBytes(source), [&] { return signal.cancelled(); });
  if (scan.cancelled) ThrowAborted();
  if (scan.damaged) {
    throw NativeError(ErrorCode::AudioDecode, "the Ogg file is damaged: no page starts at byte " + std::to_string(scan.damaged_at) +
                                                  " where the previous page ends");
  }
  if (scan.last_page_cut || !scan.ends_with_eos) {
    throw NativeError(ErrorCode::AudioDecode, "the Ogg file is truncated: " +
                                                  std::string(scan.last_page_cut ? "its last page is cut off" : "its last page does not end the stream") +
                                                  " after " + std::to_string(scan.pages) + " complete pages");
  }
}

constexpr ma_uint64 kChunkFrames = 4096;

}  // namespace

bool ParseCompressedFormat(const std::string& name, CompressedFormat& out) {
  if (name == "mp3") out = CompressedFormat::Mp3;
  else if (name == "flac") out = CompressedFormat::Flac;
  else if (name == "vorbis") out = CompressedFormat::Vorbis;
  else return false;
  return true;
}

DecodedFacts DecodeCompressed(const EncodedAudio& source, CompressedFormat format, AudioSignal& signal) {
  uint64_t expected_frames = 0;
  if (format == CompressedFormat::Mp3) {
    const Mp3Scan scan = CheckMp3(source, signal);
    expected_frames = scan.frames * scan.samples_per_frame;
  } else if (format == CompressedFormat::Vorbis) {
    CheckOgg(source, signal);
  }

  Decoder decoder(source, format);
  ma_format sample_format;
  ma_uint32 channels = 0, sample_rate = 0;
  if (ma_decoder_get_data_format(decoder.get(), &sample_format, &channels, &sample_rate, nullptr, 0) != MA_SUCCESS) {
    throw NativeError(ErrorCode::AudioDecode, std::string("cannot read the format of the ") + FormatName(format) + " stream");
  }
  // FLAC and Vorbis state their length up front (0 when a FLAC encoder did not know it;
  // stb_vorbis says 0xFFFFFFFF when it cannot tell).
  ma_uint64 declared_frames = 0;
  if (format != CompressedFormat::Mp3 && ma_decoder_get_length_in_pcm_frames(decoder.get(), &declared_frames) == MA_SUCCESS) {
    if (format == CompressedFormat::Vorbis && declared_frames == 0xFFFFFFFFull) declared_frames = 0;
    expected_frames = declared_frames;
  }
  // A header is only a claim: reserve no more than the encoded size can plausibly hold
  // (even digital silence takes a few bytes per FLAC frame of 4096 samples). Beyond that
  // the signal grows as it is decoded.
  expected_frames = std::min<uint64_t>(expected_frames, EncodedSize(source) * 4096);
  signal.SetSource(sample_rate, channels, expected_frames);

  DecodedFacts facts{sample_rate, channels, 0};
  std::vector<float> chunk(static_cast<size_t>(kChunkFrames) * channels);
  for (;;) {
    if (signal.cancelled()) ThrowAborted();
    if (signal.full()) break;
    ma_uint64 read = 0;
    const ma_result result = ma_decoder_read_pcm_frames(decoder.get(), chunk.data(), kChunkFrames, &read);
    if (read > 0) {
      signal.AppendInterleaved(chunk.data(), static_cast<size_t>(read));
      facts.frames += read;
    }
    if (result == MA_AT_END || (result == MA_SUCCESS && read == 0)) break;
    if (result != MA_SUCCESS) {
      throw NativeError(ErrorCode::AudioDecode, std::string("the ") + FormatName(format) + " stream is damaged after " +
                                                    std::to_string(facts.frames) + " frames: " + ma_result_description(result));
    }
  }
  if (format == CompressedFormat::Flac && declared_frames > 0 && facts.frames < declared_frames && !signal.full()) {
    throw NativeError(ErrorCode::AudioDecode, "the FLAC file is truncated or damaged: its header announces " +
                                                  std::to_string(declared_frames) + " frames, " + std::to_string(facts.frames) +
                                                  " could be decoded");
  }
  if (facts.frames == 0) {
    throw NativeError(ErrorCode::AudioDecode, std::string("the ") + FormatName(format) + " stream holds no audio");
  }
  signal.Finish();
  return facts;
}

}  // namespace whisper_napi
