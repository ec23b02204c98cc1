#include "transcribe/dtw_timing.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <string>

#include "transcribe/segments.h"

namespace whisper_napi {

namespace {

constexpr size_t kFrame = 160;  // samples per centisecond at 16 kHz

// A pause: at least this many frames...
constexpr int64_t kMinPauseFrames = 8;
// ...none louder than the quietest frame near the boundary plus this...
constexpr double kPauseAboveFloorDb = 6;
// ...near a boundary whose loudest frame is at least this far above that floor (else the
// audio there is all speech, or all noise, and the boundary stays).
constexpr double kPauseRangeDb = 20;

double FromDb(double db) { return std::pow(10.0, db / 20.0); }

struct Span {
  int64_t begin;
  int64_t end;
};

// The longest pause in frames [lo, hi) of `energy`; {-1, -1} when there is none.
Span LongestPause(const std::vector<float>& energy, int64_t lo, int64_t hi) {
  lo = std::max<int64_t>(lo, 0);
  hi = std::min<int64_t>(hi, static_cast<int64_t>(energy.size()));
  Span best{-1, -1};
  if (hi - lo < kMinPauseFrames) return best;
  float floor = energy[lo];
  float peak = energy[lo];
  for (int64_t k = lo; k < hi; ++k) {
    floor = std::min(floor, energy[k]);
    peak = std::max(peak, energy[k]);
  }
  if (!(peak >= floor * FromDb(kPauseRangeDb)) || peak <= 0) return best;
  const double quiet = std::max<double>(floor, 1e-9) * FromDb(kPauseAboveFloorDb);
  int64_t run = -1;
  for (int64_t k = lo; k <= hi; ++k) {
    if (k < hi && energy[k] < quiet) {
      if (run < 0) run = k;
      continue;
    }
    if (run >= 0 && k - run >= kMinPauseFrames && k - run > best.end - best.begin) best = {run, k};
    run = -1;
  }
  return best;
}

// A word: tokens [first, last] of the segment's text tokens, the first starting with a
// space; [start, end) covers its letters and digits, punctuation tokens around them excluded
// (the alignment gives a comma or a full stop the pause after the word).
struct Word {
  size_t first;
  size_t last;
  size_t core_first;
  size_t core_last;
  int64_t start;
  int64_t end;
};

int64_t Middle(const Span& s) { return s.begin + (s.end - s.begin) / 2; }

void SnapToPauses(std::vector<Word>& words, const std::vector<float>& energy) {
  if (words.empty()) return;
  // Search regions come from the alignment's times, before any word moves: between the
  // middles of the two words.
  std::vector<Span> raw;
  raw.reserve(words.size());
  for (const Word& w : words) raw.push_back({w.start, w.end});
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    const Span pause = LongestPause(energy, Middle(raw[i]), Middle(raw[i + 1]));
    if (pause.begin < 0) continue;
    words[i].end = pause.begin;
    words[i + 1].start = pause.end;
  }
  // The first word's start and the last word's end: silence right at the edge is cut off.
  Word& first = words.front();
  const int64_t begin = std::max<int64_t>(raw.front().begin, 0);
  const Span lead = LongestPause(energy, begin, Middle(raw.front()));
  if (lead.begin == begin && lead.end <= first.end) first.start = lead.end;
  Word& last = words.back();
  const int64_t end = std::min<int64_t>(raw.back().end, static_cast<int64_t>(energy.size()));
  const Span tail = LongestPause(energy, Middle(raw.back()), end);
  if (tail.begin >= 0 && tail.end == end && tail.begin >= last.start) last.end = tail.begin;
  for (Word& w : words) w.end = std::max(w.end, w.start);  // the regions do not overlap; a guard
}

// The alignment path starts at the window's first frame and ends at its last, so the first
// and last words of a segment can take in silence no other word borders. As OpenAI's
// timing.py does, such a word is cut to twice the median word length (at most 1.4 s).
void CapEdgeWords(std::vector<Word>& words) {
  std::vector<int64_t> lengths;
  for (const Word& w : words) {
    if (w.end > w.start) lengths.push_back(w.end - w.start);
  }
  if (lengths.size() < 3) return;
  std::nth_element(lengths.begin(), lengths.begin() + lengths.size() / 2, lengths.end());
  const int64_t longest = 2 * std::min<int64_t>(70, lengths[lengths.size() / 2]);
  Word& first = words.front();
  if (first.end - first.start > longest) first.start = first.end - longest;
  Word& last = words.back();
  if (last.end - last.start > longest) last.end = last.start + longest;
}

bool IsPunctuation(const std::string& text) {
  bool any = false;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == ' ') continue;
    if (byte >= 0x80 || std::isalnum(byte)) return false;
    any = true;
  }
  return any;
}

}  // namespace

std::vector<float> FrameEnergy(const float* samples, size_t count) {
  std::vector<float> energy((count + kFrame - 1) / kFrame);
  for (size_t f = 0; f < energy.size(); ++f) {
    const size_t begin = f * kFrame;
    const size_t end = std::min(count, begin + kFrame);
    double sum = 0;
    for (size_t i = begin; i < end; ++i) sum += static_cast<double>(samples[i]) * samples[i];
    energy[f] = static_cast<float>(std::sqrt(sum / static_cast<double>(end - begin)));
  }
  return energy;
}

void TimeSegmentByDtw(SegmentResult& segment, whisper_token eot, const DtwTiming& timing) {
  std::vector<TokenResult*> text;
  for (TokenResult& token : segment.tokens) {
    if (token.id >= eot) continue;
    if (token.t_dtw < 0) return;  // not aligned: whisper.cpp's times stay
    text.push_back(&token);
  }
  if (text.empty()) return;

  // Token k ends at its t_dtw and starts where token k-1 ends; the segment's first token
  // starts at the segment's start (the alignment path always begins at the window's).
  std::vector<Word> words;
  int64_t previous_end = std::min(segment.t0, text.front()->t_dtw);
  for (size_t k = 0; k < text.size(); ++k) {
    TokenResult& token = *text[k];
    token.t0 = previous_end;
    token.t1 = std::max(token.t0, token.t_dtw);
    previous_end = token.t1;
    if (words.empty() || (!token.text.empty() && token.text.front() == ' ')) {
      words.push_back({k, k, SIZE_MAX, SIZE_MAX, 0, 0});
    }
    Word& word = words.back();
    word.last = k;
    if (!IsPunctuation(token.text)) {
      if (word.core_first == SIZE_MAX) word.core_first = k;
      word.core_last = k;
    }
  }
  for (Word& word : words) {
    if (word.core_first == SIZE_MAX) {  // punctuation alone: all of it
      word.core_first = word.first;
      word.core_last = word.last;
    }
    word.start = text[word.core_first]->t0;
    word.end = text[word.core_last]->t1;
  }

  if (!timing.energy.empty()) SnapToPauses(words, timing.energy);
  CapEdgeWords(words);
  for (const Word& word : words) {
    for (size_t k = word.first; k <= word.last; ++k) {
      TokenResult& token = *text[k];
      if (k < word.core_first) {
        token.t0 = token.t1 = word.start;
      } else if (k > word.core_last) {
        token.t0 = token.t1 = word.end;
      } else {
        token.t0 = std::clamp(token.t0, word.start, word.end);
        token.t1 = std::clamp(token.t1, word.start, word.end);
      }
    }
    text[word.core_first]->t0 = word.start;
    text[word.core_last]->t1 = word.end;
  }
}

}  // namespace whisper_napi
