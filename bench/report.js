// docs/benchmarks.md (tables) and docs/benchmarks.svg (a bar chart) from a run's results.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const s = (ms) => (ms / 1000).toFixed(2);
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
  const colors = ['#2b6cb0', '#dd6b20', '#38a169', '#805ad5', '#d53f8c'];
  const barHeight = 18;
  const groupGap = 16;
  const left = 260;
  const width = 900;
  const max = Math.max(...rows.map((r) => r.transcribe.median));
  let y = 30;
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
  const legend = runners.map((r, i) => `<rect x="${left + i * 150}" y="8" width="12" height="12" fill="${colors[i % colors.length]}"/><text x="${left + i * 150 + 16}" y="18" font-size="12">${r}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif">
<title>Transcription wall time (median, lower is better)</title>
${legend}
${parts.join('\n')}
</svg>
`;
}

function writeReport(file, { rows, concurrency, reps, peerReps, threads, smoke, skipped, versions: runnerVersions, simd, command }) {
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
    '- Transcript (chars): the length of each runner\'s text; equal lengths mean the runners decoded the same thing (random-weight decoders make that visible).',
    '- Import: `require()` of the package in a fresh process (JS modules and the native library). Load: reading the model until it is ready (whisper-cli: its own `load time`; neither includes starting the process). Transcription: after load until the transcript (whisper-cli: its reported total minus load). RSS: peak resident memory of the process. Event loop: delay measured in the Node process while transcribing. Segments: how many the runner returned.',
    '',
    '![Transcription wall time](benchmarks.svg)',
    '',
  ];
  const groups = [...new Set(rows.map((r) => `${r.model}|${r.input}`))];
  for (const group of groups) {
    const [model, input] = group.split('|');
    const here = rows.filter((r) => r.model === model && r.input === input);
    const cli = here.find((r) => r.runner === 'whisper-cli');
    lines.push(`## ${model}, ${input} (${here[0].seconds} s of audio)`, '');
    lines.push('| runner | import (s) | load (s) | transcription (s) | real-time factor | encode / decode (s) | peak RSS (MB) | event loop p50 / p99 / max (ms) | segments | transcript (chars) | time vs whisper-cli |');
    lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of here) {
      const ratio = cli && r !== cli ? (r.transcribe.median / cli.transcribe.median).toFixed(3) : r === cli ? '1 (reference)' : '–';
      const split = r.encode ? `${s(r.encode.median)} / ${s(r.decode.median)}` : 'not reported';
      const loop = r.eventLoop ? `${r.eventLoop.p50.toFixed(1)} / ${r.eventLoop.p99.toFixed(1)} / ${r.eventLoop.max.toFixed(1)}` : '–';
      const runs = r.reps !== reps ? ` (${r.reps} run${r.reps === 1 ? '' : 's'})` : '';
      lines.push(`| ${r.runner}${runs} | ${spread(r.import, s)} | ${spread(r.load, s)} | ${spread(r.transcribe, s)} | ${(r.transcribe.median / 1000 / r.seconds).toFixed(3)} | ${split} | ${spread(r.peakRss, mb)} | ${loop} | ${r.segments ?? '–'} | ${r.textLength} | ${ratio} |`);
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

module.exports = { writeReport };
