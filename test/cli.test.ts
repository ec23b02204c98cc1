/**
 * The `whisper-napi` command, run as a child process (node bin/whisper-napi.js) on
 * generated models and the fixtures: outputs, files written, exit codes, messages.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { formatTranscript, loadModel, quantizeModel, InvalidModelError, InvalidOptionError } from '../src';
import { ProgressBar } from '../src/cli/progress';
import { JFK_MP3 } from './support/audio-files';
import { ModelServer } from './support/model-server';
import { JFK_WAV, MODELS, ROOT, modelPath } from './support/paths';

interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

const CLI = path.join(ROOT, 'bin', 'whisper-napi.js');
const micro = modelPath(MODELS.micro);
const tiny = modelPath(MODELS.tiny);
let scratch: string;

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, NO_PROXY: '*', WHISPER_NAPI_CACHE: path.join(scratch, 'cache'), ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-cli-'));
});
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

test('--version: package, whisper.cpp, backends, devices, CPU features', async () => {
  const r = await cli(['--version']);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^whisper-napi \d+\.\d+\.\d+$/m);
  expect(r.stdout).toMatch(/^whisper\.cpp\s+1\.9\.1$/m);
  expect(r.stdout).toMatch(/^backends\s+.*CPU/m);
  expect(r.stdout).toMatch(/^CPU features\s+\S+/m);
});

test('transcribe prints the same text as the library, in each format', async () => {
  const model = await loadModel(tiny, { threads: 2 });
  const options = { temperatureIncrement: 0, threads: 2 };
  const expected = await model.transcribe(JFK_WAV, options);
  const withWords = await model.transcribe(JFK_WAV, { ...options, tokenTimestamps: true });
  await model.dispose();
  const run = (...flags: string[]) => cli(['transcribe', JFK_WAV, '--model', tiny, '--threads', '2', '--no-fallback', ...flags]);
  const txt = await run();
  expect(txt).toMatchObject({ status: 0, stderr: '' }); // not a TTY: no progress bar
  expect(txt.stdout).toBe(`${expected.segments.map((s) => s.text.trim()).join('\n')}\n`);
  // Every format, whole, as the library's formatters write the library's transcript; and
  // word-level cues and JSON words with --word-timestamps.
  const printed: Record<string, string> = {};
  for (const format of ['srt', 'vtt', 'json'] as const) {
    const segments = await run('--format', format);
    expect(segments).toMatchObject({ status: 0, stderr: '' });
    expect(segments.stdout).toBe(formatTranscript(expected, format));
    const words = await run('--format', format, '--word-timestamps');
    expect(words).toMatchObject({ status: 0, stderr: '' });
    expect(words.stdout).toBe(formatTranscript(withWords, format, { words: true }));
    printed[format] = segments.stdout;
    printed[`${format} words`] = words.stdout;
  }
  // Read back without our formatters: the SRT cues are the segments that have text, their
  // times to the ms.
  const shown = expected.segments.filter((s) => s.text.trim() !== '');
  const cues = printed.srt!.trimEnd().split('\n\n').map((cue) => cue.split('\n'));
  const seconds = (t: string) => t.split(/[:,]/).map(Number).reduce((acc, x, i) => (i < 3 ? acc * 60 + x : acc + x / 1000), 0);
  expect(cues.map(([index]) => index)).toEqual(shown.map((_, i) => String(i + 1)));
  cues.forEach(([, times, text], i) => {
    const [from, to] = times!.split(' --> ').map(seconds);
    expect(from).toBeCloseTo(shown[i]!.start, 3);
    expect(to).toBeCloseTo(shown[i]!.end, 3);
    expect(text).toBe(shown[i]!.text.trim());
  });
  const json = JSON.parse(printed['json words']!) as { text: string; segments: { text: string; words?: unknown[] }[] };
  expect(json.text).toBe(expected.text);
  expect(json.segments.map((s) => s.text)).toEqual(expected.segments.map((s) => s.text.trim()));
  expect(json.segments[0]!.words!.length).toBeGreaterThan(0);
}, 120_000);

test('--seed and --beam-size reach the library (the tiny.en shape samples every window)', async () => {
  const audio = JFK_WAV;
  const model = await loadModel(tiny, { threads: 2 });
  const seeded = await model.transcribe(audio, { threads: 2, seed: 7 });
  expect(seeded.text).not.toBe((await model.transcribe(audio, { threads: 2 })).text);
  const beam = await model.transcribe(audio, { threads: 2, beamSize: 2, temperatureIncrement: 0 });
  await model.dispose();
  const lines = (t: { segments: { text: string }[] }) => `${t.segments.map((s) => s.text.trim()).join('\n')}\n`;
  expect((await cli(['transcribe', audio, '--model', tiny, '--threads', '2', '--seed', '7'])).stdout).toBe(lines(seeded));
  expect((await cli(['transcribe', audio, '--model', tiny, '--threads', '2', '--beam-size', '2', '--no-fallback'])).stdout).toBe(lines(beam));
}, 120_000);

test('--assistant: speculative decoding prints the same text and says how the drafts went', async () => {
  const args = ['transcribe', JFK_WAV, '--model', tiny, '--threads', '2', '--no-fallback'];
  const alone = await cli(args);
  const drafted = await cli([...args, '--assistant', modelPath(MODELS.distilTiny)]);
  expect(drafted.status).toBe(0);
  expect(drafted.stdout).toBe(alone.stdout);
  expect(drafted.stderr).toMatch(/jfk\.wav: distil-tiny\.en drafted \d+ tokens, \d+ accepted \(\d+\.\d%\), \d+ of \d+ decoder passes saved/);
  const refused = await cli([...args, '--assistant', micro]);
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toMatch(/cannot draft for .*differ/);
}, 120_000);

test('--output-dir writes one file per input (names kept apart when they clash)', async () => {
  const dir = path.join(scratch, 'out');
  const r = await cli(['transcribe', JFK_WAV, JFK_MP3, '--model', micro, '--format', 'vtt', '--output-dir', dir]);
  expect(r.status).toBe(0);
  expect(fs.readdirSync(dir).sort()).toEqual(['jfk.mp3.vtt', 'jfk.wav.vtt']);
  expect(fs.readFileSync(path.join(dir, 'jfk.wav.vtt'), 'utf8')).toMatch(/^WEBVTT\n/);
  expect(r.stderr).toMatch(/wrote .*jfk\.wav\.vtt/);
});

test('user errors: a readable line on stderr, a non-zero status, no stack trace', async () => {
  const cases: [string[], number, RegExp][] = [
    [['transcribe', 'missing.wav', '--model', micro], 1, /^whisper-napi: no such file: missing\.wav\n$/],
    [['transcribe', JFK_WAV, '--model', 'no-such-model'], 1, /^whisper-napi: model file not found: 'no-such-model'/],
    [['transcribe', JFK_WAV, '--model', micro, '--format', 'docx'], 2, /--format must be one of txt, srt, vtt, json, got 'docx'/],
    [['transcribe', JFK_WAV, '--frobnicate'], 2, /Unknown option '--frobnicate'/],
    [['transcribe', JFK_WAV, '--model', micro, '--vad'], 2, /--vad needs a Silero VAD model/],
    [['transcribe', JFK_WAV, '--model', micro, '--seed', '1.5'], 2, /--seed must be an integer from 0 to 4294967295, got '1.5'/],
    [['transcribe', JFK_WAV, '--model', micro, '--beam-size', '9'], 2, /--beam-size must be an integer from 1 to 8, got '9'/],
    [['transcribe', path.join(ROOT, 'package.json'), '--model', micro], 1, /not a recognised audio file/],
    [['download', 'no-such-model'], 2, /unknown model 'no-such-model': known models are/],
    [['info', JFK_WAV], 1, /is not a usable ggml whisper model/],
    [['quantize', micro, path.join(scratch, 'q.bin')], 2, /quantize needs --type/],
    [['frob'], 2, /unknown command 'frob'/],
    [[], 2, /no command given/],
  ];
  for (const [args, status, message] of cases) {
    const r = await cli(args);
    expect({ args, status: r.status }).toEqual({ args, status });
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }
  const verbose = await cli(['info', JFK_WAV, '--verbose']);
  expect(verbose.stderr).toMatch(/\n\s+at /);
}, 60_000);

test('models lists the known models and which are downloaded; info shows header facts', async () => {
  const cache = path.join(scratch, 'cache');
  fs.mkdirSync(cache);
  fs.copyFileSync(micro, path.join(cache, 'ggml-tiny.en.bin'));
  const models = await cli(['models']);
  expect(models.status).toBe(0);
  expect(models.stdout).toMatch(/^distil-medium\.en \(default\)\s+~794 MB\s+no\s/m);
  expect(models.stdout).toMatch(/^tiny\.en\s+77\.7 MB\s+yes\s/m);
  const info = await cli(['info', 'tiny.en']);
  expect(info.stdout).toMatch(/^weights\s+f16$/m); // info describes the downloaded file
  expect(info.stdout).toMatch(/^encoder\s+1 layers, width 64/m);
  expect(fs.readdirSync(cache)).toEqual(['ggml-tiny.en.bin']);
  // transcribe uses the download; --precision q8_0 a copy of it, made once in the cache.
  const original = await cli(['transcribe', JFK_WAV, '--model', 'tiny.en', '--format', 'json']);
  expect(original.status).toBe(0);
  expect(fs.readdirSync(cache)).toEqual(['ggml-tiny.en.bin']);
  const viaCopy = await cli(['transcribe', JFK_WAV, '--model', 'tiny.en', '--precision', 'q8_0', '--format', 'json']);
  expect(viaCopy.status).toBe(0);
  expect(fs.readdirSync(cache).sort()).toEqual(['ggml-tiny.en-q8_0.bin', 'ggml-tiny.en.bin']);
  expect((await cli(['info', path.join(cache, 'ggml-tiny.en-q8_0.bin')])).stdout).toMatch(/^weights\s+q8_0$/m);
  const bad = await cli(['transcribe', JFK_WAV, '--model', 'tiny.en', '--precision', 'f8']);
  expect(bad.status).not.toBe(0);
  expect(bad.stderr).toMatch(/--precision must be one of original, q8_0, q5_1, q5_0, q4_1, q4_0, got "f8"/);
}, 60_000);

test('first use: the default model is downloaded after saying what and how big, then used', async () => {
  const content = fs.readFileSync(micro);
  const server = new ModelServer(content);
  const base = await server.start();
  try {
    const url = `${base}/model.bin#sha256=${createHash('sha256').update(content).digest('hex')}`;
    const r = await cli(['transcribe', JFK_WAV], { WHISPER_NAPI_MODEL: url });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^Downloading http:\/\/127\.0\.0\.1:\d+\/model\.bin \(size as the server reports it\) into [^\n]+\n$/);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(scratch, 'cache', 'model.bin'))).toBe(true);
    const again = await cli(['transcribe', JFK_WAV], { WHISPER_NAPI_MODEL: url });
    expect(again.stderr).toBe(''); // cached: nothing to say
    expect(server.requests).toHaveLength(1);
    // The default model itself: what and how big, from the mirror; our stand-in file then
    // fails the pinned checksum.
    const real = await cli(['transcribe', JFK_WAV], { HF_ENDPOINT: base });
    expect(real.stderr).toMatch(/^Downloading distil-medium\.en \(about 794 MB\) from http:\/\/127\.0\.0\.1:\d+\/distil-whisper\/distil-medium\.en\/resolve\/main\/ggml-medium-32-2\.en\.bin into /);
    expect(real.status).toBe(1);
    expect(real.stderr).toMatch(/\nwhisper-napi: downloaded distil-medium\.en .* has SHA256 [0-9a-f]{64}, expected ad53ccb6/);
    const download = await cli(['download', `${base}/model.bin`, '--sha256', 'ab'.repeat(32), '--cache-dir', path.join(scratch, 'other')]);
    expect(download.status).toBe(1);
    expect(download.stderr).toMatch(/has SHA256 [0-9a-f]{64}, expected (ab){32}; the file was deleted/);
  } finally {
    await server.stop();
  }
}, 60_000);

test('quantize: the quantized file is smaller, loads, reports its type, and transcribes', async () => {
  const out = path.join(scratch, 'tiny-q5_0.bin');
  const r = await cli(['quantize', tiny, out, '--type', 'q5_0']);
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/wrote .*tiny-q5_0\.bin: 29\.9 MB \(38% of 77\.7 MB\)/);
  const info = await cli(['info', out]);
  expect(info.stdout).toMatch(/^weights\s+q5_0$/m);
  const model = await loadModel(out, { threads: 2 });
  try {
    expect(model.info.weightType).toBe('q5_0');
    expect((await model.transcribe(JFK_WAV, { temperatureIncrement: 0 })).segments.length).toBeGreaterThan(0);
  } finally {
    await model.dispose();
  }
  await expect(quantizeModel(out, path.join(scratch, 'again.bin'), { type: 'q8_0' })).rejects.toThrow(InvalidModelError);
  await expect(quantizeModel(tiny, tiny, { type: 'q8_0' })).rejects.toThrow(InvalidOptionError);
  await expect(quantizeModel(tiny, out, { type: 'q3_k' as never })).rejects.toThrow(/must be one of q8_0/);
  expect(fs.readdirSync(scratch).filter((f) => f.includes('.tmp-'))).toEqual([]);
}, 60_000);

test('the progress bar draws on a terminal only', () => {
  const written: string[] = [];
  const tty = new ProgressBar('jfk.wav', { isTTY: true, write: (t: string) => written.push(t) });
  tty.update(0.5);
  tty.done();
  expect(written.join('')).toMatch(/\r\x1b\[2Kjfk\.wav \[#{15} {15}\]  50%\n/);
  const silent: string[] = [];
  const pipe = new ProgressBar('jfk.wav', { isTTY: false, write: (t: string) => silent.push(t) });
  pipe.update(0.5);
  pipe.done();
  expect(silent).toEqual([]);
});
