/**
 * Whisper's mel filter bank, computed as OpenAI's reference computes it: librosa's
 * `filters.mel(sr=16000, n_fft=400, n_mels)` (Slaney mel scale, Slaney area normalization,
 * float32 weights). The arithmetic follows librosa step by step (numpy's rfftfreq and
 * linspace, the float32 store before the normalization) so the result is bit-identical to
 * the filters in whisper.cpp's ggml files: test/convert-units.test.ts compares all 16,080
 * values of the 80-band bank with ../shared/fixtures/for-tests-ggml-tiny.en.bin.
 */

export const SAMPLE_RATE = 16000;
const N_FFT = 400;
export const N_FFT_BINS = N_FFT / 2 + 1;

const F_SP = 200 / 3; // Hz per mel below 1 kHz
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27;

function hzToMel(hz: number): number {
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
}

function melToHz(mel: number): number {
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

/** `nMels` x 201 weights, row-major (one row per mel band), as ggml files store them. */
export function melFilters(nMels: number): Float32Array {
  // numpy.fft.rfftfreq(400, 1 / 16000)
  const binHz = 1 / (N_FFT * (1 / SAMPLE_RATE));
  const fftFreqs = Array.from({ length: N_FFT_BINS }, (_, k) => k * binHz);
  // numpy.linspace(0, hzToMel(8000), nMels + 2): start + i * step, the last point exact
  const maxMel = hzToMel(SAMPLE_RATE / 2);
  const step = maxMel / (nMels + 1);
  const mels = Array.from({ length: nMels + 2 }, (_, i) => (i === nMels + 1 ? maxMel : i * step));
  const edges = mels.map(melToHz);
  const weights = new Float32Array(nMels * N_FFT_BINS);
  for (let m = 0; m < nMels; m++) {
    const lowerWidth = edges[m + 1]! - edges[m]!;
    const upperWidth = edges[m + 2]! - edges[m + 1]!;
    const norm = 2 / (edges[m + 2]! - edges[m]!);
    for (let k = 0; k < N_FFT_BINS; k++) {
      const lower = -(edges[m]! - fftFreqs[k]!) / lowerWidth;
      const upper = (edges[m + 2]! - fftFreqs[k]!) / upperWidth;
      // librosa stores the triangle in its float32 array, then scales it in place.
      weights[m * N_FFT_BINS + k] = Math.fround(Math.max(0, Math.min(lower, upper))) * norm;
    }
  }
  return weights;
}
