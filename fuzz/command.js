// The command line shared by the fuzzers:
//   --cases N (10000)  --seed S (1)  --parallel P (CPU threads)  --first I (0)  --timeout s (60)
//   --case I           rerun one case and print what it did
// At the end: counts by outcome, each failure with the command that reproduces it, and a
// JSON record under .cache/fuzz/. Exit code 1 when anything failed.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { runCases, summarize } = require('./driver');

/**
 * @param {{ name: string, child: string, args: (seed: string) => string[] }} fuzzer
 *   `child` runs cases (see driver.js childLoop); `args` are its arguments after the range.
 */
async function fuzzCommand({ name, child, args }) {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '1' },
      parallel: { type: 'string', default: String(os.availableParallelism()) },
      first: { type: 'string', default: '0' },
      timeout: { type: 'string', default: '60' },
      case: { type: 'string' },
    },
  });
  const run = { child, args: args(values.seed), timeoutMs: Number(values.timeout) * 1000 };
  if (values.case !== undefined) {
    const i = Number(values.case);
    const results = await runCases({ ...run, first: i, total: 1, parallel: 1 });
    console.log(JSON.stringify(results.get(i), null, 2));
    return;
  }
  const cases = Number(values.cases);
  const startedAt = Date.now();
  let reported = 0;
  const results = await runCases({
    ...run,
    first: Number(values.first),
    total: cases,
    parallel: Number(values.parallel),
    onProgress(done) {
      if (done - reported >= 500) {
        reported = done;
        process.stderr.write(`fuzz ${name}: ${done}/${cases}\n`);
      }
    },
  });

  const { counts, failures } = summarize(results);
  const seconds = (Date.now() - startedAt) / 1000;
  console.log(`\n${name}: ${results.size} of ${cases} cases in ${seconds.toFixed(0)} s (seed ${values.seed}, from case ${values.first})`);
  for (const [key, count] of Object.entries(counts)) console.log(`  ${String(count).padStart(6)}  ${key}`);
  for (const f of failures) {
    console.log(`\n  FAILED case ${f.index} (${f.outcome}): ${f.what}\n    ${f.message}\n    reproduce: node ${path.relative(process.cwd(), process.argv[1])} --case ${f.index} --seed ${values.seed}`);
  }
  const out = path.resolve(__dirname, '..', '.cache', 'fuzz', `${name}-seed${values.seed}-from${values.first}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ name, seed: values.seed, first: values.first, cases, seconds, counts, failures }, null, 2));
  console.log(`\n${failures.length === 0 ? 'no crash, hang or untyped error' : `${failures.length} FAILURE(S)`}; record: ${path.relative(process.cwd(), out)}`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

module.exports = { fuzzCommand };
