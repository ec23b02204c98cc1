#!/usr/bin/env node
// Soaks: long runs that must end where they started in memory. Each is a fresh process
// (soak/child.js) on the generated tiny.en shape (75 MB of weights) with jfk.wav:
//   cycles      100 load/dispose cycles
//   short       1,000 short transcriptions (2 s of speech)
//   abort       200 jobs aborted at random moments
//   concurrent  4 concurrent jobs on one model for 10 minutes
// Pass criterion: RSS at the end within 20 MB of the start (after warm-up). Writes
// docs/soak.md and docs/soak.svg (the RSS curves).
//
//   node soak/run.js [--only cycles,short,abort,concurrent] [--minutes 10] [--out docs/soak.md]
'use strict';
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs, promisify } = require('node:util');

const { generatedModel } = require('../scripts/generate-model.js');

const ROOT = path.resolve(__dirname, '..');
const JFK = path.resolve(ROOT, '..', 'shared', 'fixtures', 'jfk.wav');
const LIMIT_MB = 20;

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'cycles,short,abort,concurrent' },
    minutes: { type: 'string', default: '10' },
    out: { type: 'string', default: path.join(ROOT, 'docs', 'soak.md') },
  },
});

const SOAKS = { cycles: 100, short: 1000, abort: 200, concurrent: Number(values.minutes) };


function chart(results) {
  const width = 900;
  const height = 200;
  const parts = [];
  let y = 10;
  for (const r of results) {
    const xs = r.samples.map((s) => s.t);
    const ys = [r.start, ...r.samples.map((s) => s.rss)];
    const [x0, x1] = [0, Math.max(...xs, 1)];
    const [y0, y1] = [Math.min(...ys) - 5, Math.max(...ys) + 5];
    const px = (t) => 70 + ((t - x0) / (x1 - x0)) * (width - 90);
    const py = (v) => y + 20 + (1 - (v - y0) / (y1 - y0)) * (height - 50);
    const points = [[0, r.start], ...r.samples.map((s) => [s.t, s.rss])].map(([t, v]) => `${px(t).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
    parts.push(`<text x="10" y="${y + 14}" font-size="13" font-weight="bold">${r.name}: ${r.notes}</text>`);
    parts.push(`<polyline fill="none" stroke="#2b6cb0" stroke-width="1.5" points="${points}"/>`);
    parts.push(`<line x1="70" x2="${width - 20}" y1="${py(r.start + LIMIT_MB).toFixed(1)}" y2="${py(r.start + LIMIT_MB).toFixed(1)}" stroke="#c53030" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="8" y="${py(y1 - 5).toFixed(1)}" font-size="11">${(y1 - 5).toFixed(0)} MB</text><text x="8" y="${py(y0 + 5).toFixed(1)}" font-size="11">${(y0 + 5).toFixed(0)} MB</text>`);
    parts.push(`<text x="${width - 20}" y="${y + height - 12}" font-size="11" text-anchor="end">${x1.toFixed(0)} s</text>`);
    y += height;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif">
<title>RSS during each soak (MB over seconds; dashed: start + ${LIMIT_MB} MB)</title>
${parts.join('\n')}
</svg>
`;
}

async function main() {
  const file = generatedModel('tiny.en', path.join(ROOT, '.cache', 'soak', 'tiny.en-generated.bin'));
  const results = [];
  for (const name of values.only.split(',')) {
    process.stderr.write(`soak: ${name}…\n`);
    const started = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', path.join(__dirname, 'child.js'), name, file, JFK, String(SOAKS[name])], { maxBuffer: 64 << 20 });
    const r = { name, ...JSON.parse(stdout.trim().split('\n').pop()), seconds: (Date.now() - started) / 1000 };
    r.growth = r.end - r.start;
    r.pass = Math.abs(r.growth) <= LIMIT_MB;
    process.stderr.write(`soak: ${name}: ${r.notes}; RSS ${r.start.toFixed(1)} -> ${r.end.toFixed(1)} MB (${r.growth >= 0 ? '+' : ''}${r.growth.toFixed(1)}) ${r.pass ? 'ok' : 'FAILED'}\n`);
    results.push(r);
  }
  const lines = [
    '# Soaks',
    '',
    `Written by \`node soak/run.js\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} CPU threads, Node ${process.version}, glibc malloc with its default settings.`,
    '',
    `Each soak is a fresh process on the generated tiny.en shape (75 MB of weights) with jfk.wav. RSS is read after a garbage collection; the start is taken after a warm-up (allocator arenas of the thread-pool threads, ggml's one-time setup, the first decoding state), the end before the model is freed. Pass: the end within ${LIMIT_MB} MB of the start.`,
    '',
    '| soak | work | took (s) | RSS start (MB) | RSS end (MB) | change (MB) | lowest / highest sample (MB) | result |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map((r) => {
      const rss = r.samples.map((s) => s.rss);
      return `| ${r.name} | ${r.notes} | ${r.seconds.toFixed(0)} | ${r.start.toFixed(1)} | ${r.end.toFixed(1)} | ${r.growth >= 0 ? '+' : ''}${r.growth.toFixed(1)} | ${Math.min(...rss).toFixed(1)} / ${Math.max(...rss).toFixed(1)} | ${r.pass ? 'pass' : '**FAIL**'} |`;
    }),
    '',
    '![RSS during each soak](soak.svg)',
    '',
  ];
  fs.writeFileSync(values.out, `${lines.join('\n')}\n`);
  fs.writeFileSync(path.join(path.dirname(values.out), 'soak.svg'), chart(results));
  process.stderr.write(`soak: wrote ${path.relative(process.cwd(), values.out)}\n`);
  process.exitCode = results.every((r) => r.pass) ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
