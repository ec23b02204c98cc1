// docs/benchmarks.md (tables) and docs/benchmarks.svg (a bar chart) from a run's results.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { compareNormalized, compareTexts, corpusWordErrorRate, wordErrorRate } = require('./wer');

const ROOT = path.resolve(__dirname, '..');
const s = (ms) => (ms / 1000).toFixed(2);

/** The rows of each model and input, in order, with whisper-cli's row among them (the reference). */
function byModelAndInput(rows) {
  return [...new Set(rows.map((r) => `${r.model}|${r.input}`))].map((group) => {
    const [model, input] = group.split('|');
    const here = rows.filter((r) => r.model === model && r.input === input);
    return { model, input, here, cli: here.find((r) => r.runner === 'whisper-cli') };
  });
}

/** A row's time against whisper-cli's, and its encode / decode split when the runner reports one. */
function timeCells(row, cli) {
  const ratio = cli && row !== cli ? (row.transcribe.median / cli.transcribe.median).toFixed(3) : row === cli ? '1 (reference)' : '–';
  const split = row.encode ? `${s(row.encode.median)} / ${s(row.decode.median)}` : 'not reported';
  return { ratio, split };
}
const mb = (bytes) => (bytes / 2 ** 20).toFixed(0);
const spread = (x, format) => (x ? `${format(x.median)} (${format(x.min)}–${format(x.max)})` : '–');

function versions() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  let whisperCpp = '?';
  let backends = '?';
  try {
    const addon = require(path.join(ROOT, 'dist', 'cjs', 'binding')).native();
    whisperCpp = addon.whisperCppVersion;
    backends = addon.backends().backends.join('+');
  } catch {
    // reported as unknown
  }
  return { pkg: pkg.version, whisperCpp, backends, node: process.version };
}

function chart(rows) {
  const groups = [...new Set(rows.map((r) => `${r.model} · ${r.input}`))];
  const runners = [...new Set(rows.map((r) => r.runner))];
  const colors = ['#2b6cb0', '#dd6b20', '#38a169', '#805ad5', '#d53f8c', '#319795', '#b7791f', '#718096'];
  const barHeight = 18;
  const groupGap = 16;
  const left = 260;
  const width = 900;
  const max = Math.max(...rows.map((r) => r.transcribe.median));
  // The legend: up to four runners a line, 215 px each.
  const perLine = 4;
  const legend = runners
    .map((r, i) => {
      const x = 8 + (i % perLine) * 215;
      const ly = 8 + Math.floor(i / perLine) * 18;
      return `<rect x="${x}" y="${ly}" width="12" height="12" fill="${colors[i % colors.length]}"/><text x="${x + 16}" y="${ly + 10}" font-size="12">${r}</text>`;
    })
    .join('');
  let y = 14 + Math.ceil(runners.length / perLine) * 18;
  const parts = [];
  for (const group of groups) {
    parts.push(`<text x="8" y="${y + barHeight}" font-size="12">${group}</text>`);
    for (const [i, runner] of runners.entries()) {
      const row = rows.find((r) => `${r.model} · ${r.input}` === group && r.runner === runner);
      if (!row) continue;
      const w = ((width - left - 80) * row.transcribe.median) / max;
      parts.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barHeight - 2}" fill="${colors[i % colors.length]}"/>`);
      parts.push(`<text x="${left + w + 6}" y="${y + barHeight - 5}" font-size="11">${s(row.transcribe.median)} s</text>`);
      y += barHeight;
    }
    y += groupGap;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif">
<title>Transcription wall time (median, lower is better)</title>
${legend}
${parts.join('\n')}
</svg>
`;
}

function writeReport(file, options) {
  if (options.real) return writeRealReport(file, options);
  return writeGeneratedReport(file, options);
}

function writeGeneratedReport(file, { rows, concurrency, reps, peerReps, threads, smoke, skipped, versions: runnerVersions, simd, command }) {
  const v = versions();
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`bench/run.js\` on ${new Date().toISOString().slice(0, 10)}${smoke ? ' (**smoke run**: one tiny input, one repetition; not a measurement)' : ''}.`,
    '',
    `- Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} CPU threads, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}`,
    `- Versions: whisper-napi ${v.pkg} (backends ${v.backends}), whisper.cpp ${v.whisperCpp}, Node ${v.node}; whisper-cli built from the same deps/whisper.cpp by scripts/build-whisper-cli.js`,
    `- Runners: ${Object.entries(runnerVersions).map(([name, version]) => `${name} ${version}`).join(', ')}`,
    `- Command: \`${command}\``,
    `- Every runner: ${threads} threads, greedy decoding without temperature fallback, whisper.cpp's default token limits (no max tokens per segment, a decoder context of n_text_ctx/2), flash attention on (whisper.cpp's default), each measurement a fresh process; ${reps} repetition(s)${peerReps !== reps ? `, ${peerReps} for the peer bindings` : ''}, median (min–max).`,
    '- Models are generated with the real shapes and seeded random weights. Their decoders either run to the token limit in every 30-s window (distil-medium.en, which whisper.cpp decodes without timestamps) or stop after a few tokens (tiny.en): the transcript column shows which; decoding weighs differently than with real weights.',
    '- Transcript vs whisper-cli: each runner\'s text (its segment texts joined, trimmed; whisper-cli\'s from its JSON output, `-oj`) against whisper-cli\'s, as written: "identical" when their sha256 are equal (the hash shown), else the first differing character (1-based) with a few characters of each from just before it, and both lengths. Identical texts mean the runners decoded the same thing (random-weight decoders make that visible).',
    '- Import: `require()` of the package in a fresh process (JS modules and the native library). Load: reading the model until it is ready (whisper-cli: its own `load time`; neither includes starting the process). Transcription: after load until the transcript (whisper-cli: its reported total minus load). RSS: peak resident memory of the process. Event loop: delay measured in the Node process while transcribing. Segments: how many the runner returned.',
    '',
    '![Transcription wall time](benchmarks.svg)',
    '',
  ];
  for (const { model, input, here, cli } of byModelAndInput(rows)) {
    lines.push(`## ${model}, ${input} (${here[0].seconds} s of audio)`, '');
    lines.push('| runner | import (s) | load (s) | transcription (s) | real-time factor | encode / decode (s) | peak RSS (MB) | event loop p50 / p99 / max (ms) | segments | transcript vs whisper-cli | time vs whisper-cli |');
    lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of here) {
      const { ratio, split } = timeCells(r, cli);
      const loop = r.eventLoop ? `${r.eventLoop.p50.toFixed(1)} / ${r.eventLoop.p99.toFixed(1)} / ${r.eventLoop.max.toFixed(1)}` : '–';
      const runs = r.reps !== reps ? ` (${r.reps} run${r.reps === 1 ? '' : 's'})` : '';
      lines.push(`| ${r.runner}${runs} | ${spread(r.import, s)} | ${spread(r.load, s)} | ${spread(r.transcribe, s)} | ${(r.transcribe.median / 1000 / r.seconds).toFixed(3)} | ${split} | ${spread(r.peakRss, mb)} | ${loop} | ${r.segments ?? '–'} | ${textAgainstCli(r, cli)} | ${ratio} |`);
    }
    lines.push('');
  }
  lines.push(`## whisper-napi: concurrent jobs on one model (${concurrency[0]?.model}, ${concurrency[0]?.input})`, '');
  lines.push('The weights are loaded once; each job has its own decoding state and a share of the threads.', '');
  lines.push('| jobs | wall (s) | throughput (s of audio per s) | peak RSS (MB) |', '|---|---|---|---|');
  for (const c of concurrency) lines.push(`| ${c.jobs} | ${s(c.wallMs)} | ${c.throughput.toFixed(2)} | ${mb(c.peakRss)} |`);
  if (simd && simd.length > 0) {
    lines.push('', '## Vector instructions in each native binary', '');
    lines.push('ggml\'s matrix kernels run 8–16× wider with AVX2/AVX-512 than with the SSE2 baseline of a generic x86-64 build; a binary compiled without them is slower by about that much on the encoder. Counted with `objdump -d` (instructions naming a 256-bit ymm or 512-bit zmm register):', '');
    lines.push('| runner | native files | ymm (AVX/AVX2) | zmm (AVX-512) | fused multiply-add |', '|---|---|---|---|---|');
    for (const x of simd) lines.push(`| ${x.runner} | ${x.files} | ${x.ymm} | ${x.zmm} | ${x.fma} |`);
  }
  if (skipped.length > 0) {
    lines.push('', '## Not measured in this run', '');
    for (const s of skipped) lines.push(`- **${s.name}**: ${s.reason}`);
    lines.push('');
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  fs.writeFileSync(path.join(path.dirname(file), 'benchmarks.svg'), chart(rows));
}

const percent = (x) => `${(100 * x).toFixed(1)} %`;
const loadAverage = (l) => l.map((x) => x.toFixed(2)).join(' / ');

/** How a row's transcript, as written, compares with whisper-cli's: "identical (sha256 …)" or the first difference. */
function textAgainstCli(row, cli) {
  if (!cli) return '–';
  if (row === cli) return 'reference';
  const c = compareTexts(cli.text, row.text);
  if (c.identical) return `identical (sha256 ${c.hash})`;
  const quote = (t) => `“${t.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, '\\n')}”`;
  return `differs at character ${c.index + 1}: ${quote(c.text)} vs ${quote(c.referenceText)} (${c.length} vs ${c.referenceLength} characters)`;
}

/** How a row's normalized transcript compares with the reference row's (whisper-cli's). */
function againstCli(row, cli) {
  if (!cli) return '–';
  if (row === cli) return 'reference';
  const c = compareNormalized(cli.text, row.text);
  if (c.identical) return 'identical';
  const word = (w) => (w === undefined ? '(end)' : `“${w}”`);
  return `differs from word ${c.index + 1} (${word(c.word)} vs ${word(c.referenceWord)}; ${c.words} vs ${c.referenceWords} words)`;
}

/** bench/run.js --real: real weights, real speech, WER and transcript comparison per row. */
function writeRealReport(file, { rows, reps, threads, skipped, versions: runnerVersions, decoding, napiOptions, models, inputs, load, startedAt, finishedAt, command }) {
  const v = versions();
  const svg = file.replace(/\.md$/, '') + '.svg';
  const decodingText =
    decoding === 'greedy-fallback'
      ? `**greedy with each engine's temperature fallback** (whisper-napi's default decoding): whisper-cli \`-bs 1\` (best-of 5 above temperature 0, steps of 0.2); faster-whisper \`beam_size=1, best_of=5, temperature=[0.0, 0.2, …, 1.0]\`; whisper-napi \`${JSON.stringify(napiOptions)}\``
      : decoding === 'greedy'
      ? `**greedy without temperature fallback** everywhere: whisper-cli \`-bs 1 -nf\`; faster-whisper \`beam_size=1, best_of=1, temperature=[0.0]\`; whisper-napi \`${JSON.stringify(napiOptions)}\``
      : `**each engine's own default decoding**: whisper-cli without \`-bs\`/\`-nf\` (beam search with 5 beams, best-of 5, temperature fallback in steps of 0.2); faster-whisper \`beam_size=5, best_of=5, temperature=[0.0, 0.2, …, 1.0]\`; whisper-napi \`${JSON.stringify(napiOptions)}\` (bestOf 5 and temperatureIncrement 0.2 are its defaults)`;
  const lines = [
    '# Benchmarks on real weights',
    '',
    `Written by \`bench/run.js --real\` on ${startedAt.toISOString().slice(0, 10)} (run from ${startedAt.toISOString().slice(11, 19)} to ${finishedAt.toISOString().slice(11, 19)} UTC).`,
    '',
    `- Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} CPU threads, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}; load average (1 / 5 / 15 min) ${loadAverage(load.before)} at the start, ${loadAverage(load.after)} at the end (other work on the machine slows every runner)`,
    `- Versions: whisper-napi ${v.pkg} (backends ${v.backends}), whisper.cpp ${v.whisperCpp}, Node ${v.node}`,
    `- Runners: ${Object.entries(runnerVersions).map(([name, version]) => `${name} ${version ?? '?'}`).join('; ')}`,
    `- Command: \`${command}\``,
    `- Every runner: **${threads} threads** (whisper-cli \`-t ${threads}\`, whisper-napi \`threads: ${threads}\`, faster-whisper \`cpu_threads=${threads}, num_workers=1\`), language en, timestamps on, text conditioned on the previous window, no VAD (faster-whisper \`vad_filter=False\`); each measurement a fresh process; ${reps} repetition(s), median (min–max).`,
    `- Decoding: ${decodingText}. whisper-napi runs whisper.cpp's own long-form loop (\`longForm: 'native'\`), as whisper-cli does; "whisper-napi (library defaults)" passes no option but threads (greedy with fallback, \`longForm: 'auto'\`: whisper.cpp's loop up to 60 s and smart windows past that, cut at the quietest moments as no VAD model is given).`,
    `- Models (real OpenAI weights): ${models.map((m) => `${m.id}: ggml \`${path.relative(ROOT, m.ggml)}\` (float16, our conversion of the CTranslate2 file) for whisper-napi and whisper-cli, CTranslate2 \`${path.relative(ROOT, m.ct2)}\` (float16) for faster-whisper`).join('; ')}. The q8_0 rows load a q8_0 copy made from that file by whisper-napi's quantizer (whisper.cpp's), as \`resolveModel(id, { precision: 'q8_0' })\` makes it. faster-whisper (float32) converts the float16 weights to float32 at load; faster-whisper (int8) quantizes them at load (CTranslate2 reports the compute type in the notes column).`,
    `- Inputs: ${inputs.map((a) => `${a.name} (${a.seconds} s, \`${path.relative(ROOT, a.file)}\`, reference ${a.referenceWords} words)`).join('; ')}. 6min-speech is the speech set's long recording (espeak-ng voices reading public-domain texts); 30min-speech is it five times with 2 s of silence between, its reference five times.`,
    '- WER: word error rate against the input\'s reference after the normalizer of scripts/wer.js (the tests\' own; rules in docs/wer.md: NFKC, lower case, punctuation removed, no spelling equivalences); for english-clips the corpus WER (every clip\'s errors over every clip\'s reference words).',
    '- vs whisper-cli: the row\'s normalized words against whisper-cli\'s (our patched build, same model and input): "identical" when the normalized texts (and so their sha256) are equal, else the first differing word (1-based) with this row\'s word vs whisper-cli\'s and both word counts. Compared on the first repetition; the notes say when repetitions disagreed.',
    '- Import: loading the engine in a fresh process (whisper-napi: `require()` of the package and its native library; faster-whisper: `import ctranslate2, faster_whisper`). Load: the model until it is ready (whisper-cli: its own `load time`; faster-whisper: `WhisperModel(...)`). Transcription: after load until the transcript (whisper-cli: its reported total minus load, which includes reading the WAV; whisper-napi: `transcribe(file)`, which reads the WAV; faster-whisper: `transcribe()` with its segment generator consumed, the WAV read before). RSS: peak resident memory of the process (faster-whisper: the Python interpreter, numpy and the audio included).',
    '',
    `![Transcription wall time](${path.basename(svg)})`,
    '',
  ];
  for (const { model, input, here, cli } of byModelAndInput(rows)) {
    lines.push(`## ${model}, ${input} (${here[0].seconds} s of audio)`, '');
    lines.push('| runner | import (s) | load (s) | transcription (s) | real-time factor | encode / decode (s) | peak RSS (MB) | segments | WER | vs whisper-cli (normalized text) | time vs whisper-cli | time vs faster-whisper int8 | notes |');
    lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    // faster-whisper int8 is what Whisper users pick for speed on CPUs: every row's time
    // against it (below 1: faster than it).
    const int8 = here.find((r) => r.runnerKey === 'fw-int8');
    for (const r of here) {
      const { ratio, split } = timeCells(r, cli);
      const notes = [
        r.computeType ? `compute type ${r.computeType}` : undefined,
        r.longForm ? `longForm ${r.longForm}` : undefined,
        r.textsAgree === false ? '**transcripts differ between repetitions**' : undefined,
      ].filter(Boolean);
      lines.push(`| ${r.runner} | ${spread(r.import, s)} | ${spread(r.load, s)} | ${spread(r.transcribe, s)} | ${(r.transcribe.median / 1000 / r.seconds).toFixed(3)} | ${split} | ${spread(r.peakRss, mb)} | ${r.segments ?? '–'} | ${percent(r.pairs ? corpusWordErrorRate(r.pairs) : wordErrorRate(r.reference, r.text))} | ${againstCli(r, cli)} | ${ratio} | ${int8 ? (r === int8 ? '1 (reference)' : (r.transcribe.median / int8.transcribe.median).toFixed(3)) : '–'} | ${notes.join('; ') || '–'} |`);
    }
    lines.push('');
  }
  if (skipped.length > 0) {
    lines.push('## Not measured in this run', '');
    for (const x of skipped) lines.push(`- **${x.name}**: ${x.reason}`);
    lines.push('');
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  if (rows.length > 0) fs.writeFileSync(svg, chart(rows));
}

module.exports = { writeReport };
