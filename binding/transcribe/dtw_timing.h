// Token and word times from whisper.cpp's DTW alignment (models loaded with `dtw`).
//
// whisper.cpp aligns a window's text tokens with its audio and stores, as t_dtw, the moment
// the alignment path leaves each token's row of the attention matrix: where the token ends,
// as OpenAI's timing.py reads the same path (a token starts where the one before it ends).
// A gap between two words therefore belongs wholly to one of them. With `snap_to_pauses`,
// each boundary between words moves to the edges of the longest pause near it, measured in
// the job's audio; boundaries in connected speech, where there is no pause, stay put.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "whisper.h"

namespace whisper_napi {

struct TokenResult;
struct SegmentResult;

// RMS of each 10-ms frame of 16 kHz audio: one value per centisecond, whisper.cpp's time unit.
std::vector<float> FrameEnergy(const float* samples, size_t count);

struct DtwTiming {
  // The job's audio as FrameEnergy() gives it (token times index it directly); empty: no snapping.
  std::vector<float> energy;
};

// Retimes the segment's text tokens (ids below `eot`) from their t_dtw; a segment with a
// text token DTW did not place (t_dtw -1: a window too short to align) keeps whisper.cpp's
// t0/t1. A word is a token that starts with a space and the tokens after it that do not.
void TimeSegmentByDtw(SegmentResult& segment, whisper_token eot, const DtwTiming& timing);

}  // namespace whisper_napi
