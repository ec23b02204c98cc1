/** Option validation and mapping, and model-type derivation: pure TypeScript, no addon. */
import { InvalidOptionError } from '../src';
import { deriveModelInfo } from '../src/model-info';
import type { ModelInfo } from '../src/types/model-info';
import type { NativeModelFacts } from '../src/native';
import { checkOptionsForModel, defaultThreads, toNativeParams, validateLoadOptions, validateTranscribeOptions } from '../src/options';

describe('transcribe options', () => {
  test('defaults follow whisper.cpp\'s library: greedy, language en, min(4, cores) threads; bestOf 5 and seed 0 always', () => {
    expect(toNativeParams(validateTranscribeOptions(undefined), undefined)).toMatchObject({
      strategy: 'greedy',
      threads: defaultThreads(),
      language: 'en',
      bestOf: 5,
      seed: 0,
      temperature: 0,
      temperatureIncrement: 0.2,
      windowContext: true,
      tokenDetails: false,
    });
    // Beam search's defaults in whisper.cpp leave best_of at -1 (the fallback's sample count).
    expect(toNativeParams({ beamSize: 5 }, 1)).toMatchObject({ strategy: 'beam', beamSize: 5, bestOf: 5 });
    expect(toNativeParams({ seed: 42, bestOf: 2 }, 1)).toMatchObject({ seed: 42, bestOf: 2 });
    expect(defaultThreads()).toBeGreaterThanOrEqual(1);
    expect(defaultThreads()).toBeLessThanOrEqual(4);
  });

  test('the model\'s thread count applies unless the call sets one', () => {
    expect(toNativeParams({}, 3).threads).toBe(3);
    expect(toNativeParams({ threads: 1 }, 3).threads).toBe(1);
  });

  test('beamSize > 1 selects beam search; seconds become milliseconds; tokenTimestamps implies token detail', () => {
    expect(toNativeParams({ beamSize: 5, offset: 1.5, duration: 2, tokenTimestamps: true }, 2)).toMatchObject({
      strategy: 'beam',
      beamSize: 5,
      offsetMs: 1500,
      durationMs: 2000,
      tokenTimestamps: true,
      tokenDetails: true,
    });
  });

  test('whisper-cli\'s pinning flags have named equivalents', () => {
    // -bs 1 -nf -t 2
    expect(toNativeParams({ beamSize: 1, temperatureIncrement: 0, threads: 2 }, undefined)).toMatchObject({
      strategy: 'greedy',
      beamSize: 1,
      threads: 2,
      temperatureIncrement: 0,
    });
  });

  test('each option is read once: the options used are the ones checked', () => {
    let reads = 0;
    const options = Object.defineProperty({}, 'longForm', { enumerable: true, get: () => (reads++ === 0 ? 'smart' : 'bogus') });
    const checked = validateTranscribeOptions(options);
    expect(reads).toBe(1);
    expect(checked).toEqual({ longForm: 'smart' });
    expect(checked).not.toBe(options);
  });

  test.each([
    [{ thread: 2 }, /unknown transcribe option 'thread'\. Did you mean 'threads'\?/],
    [{ beamsize: 2 }, /Did you mean 'beamSize'\?/],
    [{ zzzzzz: 1 }, /unknown transcribe option 'zzzzzz'\.$/],
    [{ threads: 0 }, /'threads' must be between 1 and 64, got 0/],
    [{ threads: -1 }, /between 1 and 64/],
    [{ threads: 1.5 }, /'threads' must be an integer/],
    [{ threads: '2' }, /'threads' must be a finite number, got the string "2"/],
    [{ beamSize: 0 }, /'beamSize' must be between 1 and 8/],
    [{ beamSize: 9 }, /'beamSize' must be between 1 and 8/],
    [{ bestOf: 9 }, /'bestOf' must be between 1 and 8/],
    [{ seed: -1 }, /'seed' must be between 0 and 4294967295, got -1/],
    [{ seed: 2 ** 32 }, /'seed' must be between 0 and 4294967295/],
    [{ seed: 0.5 }, /'seed' must be an integer/],
    [{ threads: 65 }, /'threads' must be between 1 and 64/],
    [{ temperature: 1.5 }, /'temperature' must be between 0 and 1/],
    [{ temperatureIncrement: 1e-9 }, /must be 0 \(no fallback\) or at least 0\.01/],
    [{ language: 'xx' }, /one of whisper's language codes/],
    [{ temperature: NaN }, /'temperature' must be a finite number/],
    [{ translate: 'yes' }, /'translate' must be a boolean/],
    [{ language: 'english' }, /'language' must be 'auto' or one of whisper's language codes/],
    [{ signal: {} }, /'signal' must be an AbortSignal/],
    ['fast', /transcribe options must be an object/],
    [null, /transcribe options must be an object, got null/],
  ])('rejects %#: %s', (options, message) => {
    expect(() => validateTranscribeOptions(options)).toThrow(InvalidOptionError);
    expect(() => validateTranscribeOptions(options)).toThrow(message);
  });

  test('a prompt longer than 1024 characters is refused (whisper.cpp only uses the last ~223 tokens)', () => {
    expect(() => validateTranscribeOptions({ initialPrompt: 'x'.repeat(1025) })).toThrow(/'initialPrompt' is 1025 characters long; at most 1024/);
    expect(() => validateTranscribeOptions({ initialPrompt: 'word '.repeat(200) })).not.toThrow();
  });

  test('undefined values are ignored', () => {
    expect(() => validateTranscribeOptions({ threads: undefined, language: undefined })).not.toThrow();
  });
});

describe('options that depend on the model', () => {
  const english = { multilingual: false, nVocab: 51864, type: 'tiny.en' } as ModelInfo;
  const v2 = { multilingual: true, nVocab: 51865, type: 'large-v2' } as ModelInfo;
  const v3 = { multilingual: true, nVocab: 51866, type: 'large-v3' } as ModelInfo;

  test('English-only models take only English and cannot translate', () => {
    expect(() => checkOptionsForModel({ language: 'en' }, english)).not.toThrow();
    expect(() => checkOptionsForModel({ language: 'auto' }, english)).not.toThrow();
    expect(toNativeParams({ language: 'auto' }, 1, false).language).toBe('en');
    expect(toNativeParams({ language: 'auto' }, 1, true).language).toBe('auto');
    expect(() => checkOptionsForModel({ language: 'de' }, english)).toThrow(/English-only/);
    expect(() => checkOptionsForModel({ translate: true }, english)).toThrow(/cannot translate/);
  });

  test("'yue' exists only in 100-language vocabularies (large-v3)", () => {
    expect(() => checkOptionsForModel({ language: 'yue' }, v3)).not.toThrow();
    expect(() => checkOptionsForModel({ language: 'yue' }, v2)).toThrow(/does not know language 'yue'/);
    expect(() => checkOptionsForModel({ language: 'su' }, v2)).not.toThrow();
    expect(() => checkOptionsForModel({ language: 'auto' }, v2)).not.toThrow();
  });
});

describe('load options', () => {
  test.each([
    [{ useGPU: false }, /Did you mean 'useGpu'\?/],
    [{ gpuDevice: -1 }, /'gpuDevice' must be between 0/],
    [{ flashAttention: 1 }, /'flashAttention' must be a boolean/],
  ])('rejects %p', (options, message) => {
    expect(() => validateLoadOptions(options)).toThrow(message);
  });
});

describe('model type from the header', () => {
  const facts = (nAudioState: number, nAudioLayer: number, nTextLayer: number, nVocab: number): NativeModelFacts => ({
    nVocab, nAudioCtx: 1500, nAudioState, nAudioHead: nAudioState / 64, nAudioLayer, nTextCtx: 448, nTextState: nAudioState,
    nTextHead: nAudioState / 64, nTextLayer, nMels: nVocab === 51866 ? 128 : 80, ftype: 1, fileSize: 0, tensorBytes: 0,
    vocabEntries: 0, weightType: 'f16', convertedFromF32: false, bf16Weights: false, whisperType: '', path: '', loadMs: 0,
  });

  test.each([
    ['tiny.en', facts(384, 4, 4, 51864), false, false],
    ['tiny', facts(384, 4, 4, 51865), false, false],
    ['base.en', facts(512, 6, 6, 51864), false, false],
    ['small', facts(768, 12, 12, 51865), false, false],
    ['medium.en', facts(1024, 24, 24, 51864), false, false],
    ['large-v2', facts(1280, 32, 32, 51865), false, false],
    ['large-v3', facts(1280, 32, 32, 51866), false, false],
    ['large-v3-turbo', facts(1280, 32, 4, 51866), false, false],
    ['distil-medium.en', facts(1024, 24, 2, 51864), true, true],
    ['distil-small.en', facts(768, 12, 4, 51864), true, false],
    ['distil-large-v2', facts(1280, 32, 2, 51865), true, true],
    ['distil-large-v3', facts(1280, 32, 2, 51866), true, false],
    ['custom', facts(64, 1, 1, 51864), false, false],
  ])('%s', (type, f, distilled, forcedNoTimestamps) => {
    const info = deriveModelInfo(f);
    expect(info.type).toBe(type);
    expect(info.distilled).toBe(distilled);
    expect(info.forcedNoTimestamps).toBe(forcedNoTimestamps);
    expect(info.multilingual).toBe(f.nVocab >= 51865);
  });
});
