// Runs fuzz cases in child processes and classifies what each did. A child works through a
// range of cases, announcing each before it starts; when it dies (abort, segfault) or stops
// answering (a hang), the case it was on is recorded, run once more alone to confirm, and a
// fresh child goes on with the next case. Outcomes:
//   ok         the input was accepted (and, for models, transcribed)
//   rejected   a typed error (a WhisperError subclass), by class name
//   untyped    an error that is not a WhisperError        -> failure
//   crash      the process died                            -> failure
//   hang       no answer within the time box               -> failure
'use strict';
const { fork } = require('node:child_process');

/**
 * @param {{ child: string, args: string[], first: number, total: number, parallel: number,
 *   timeoutMs: number, onProgress?: (done: number) => void }} run
 * @returns {Promise<Map<number, { outcome: string, error?: string, message?: string, what?: string }>>}
 */
async function runCases({ child, args, first = 0, total, parallel, timeoutMs, onProgress }) {
  const results = new Map();
  const end = first + total;
  const chunk = Math.ceil(total / parallel);
  const ranges = [];
  for (let start = first; start < end; start += chunk) ranges.push([start, Math.min(end, start + chunk)]);
  await Promise.all(ranges.map(([start, stop]) => work(start, stop)));
  return results;

  // One range, with a fresh child after every crash or hang.
  async function work(start, stop) {
    let next = start;
    while (next < stop) {
      const failed = await once(next, stop);
      if (!failed) break;
      const confirmed = await once(failed.index, failed.index + 1);
      const reproduced = confirmed && confirmed.outcome === failed.outcome;
      results.set(failed.index, { ...failed, message: `${failed.message}${reproduced ? ' (reproduced alone)' : ' (NOT reproduced when run alone)'}` });
      next = failed.index + 1;
    }
  }

  // Runs [from, to) in one child; resolves undefined when all finished, or the failing case.
  function once(from, to) {
    return new Promise((resolve) => {
      const proc = fork(child, [String(from), String(to), ...args], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      let current;
      let lastDone;
      let stderr = '';
      let timer;
      let settled = false;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => finish({ index: current.index, what: current.what, outcome: 'hang', message: `no answer in ${timeoutMs} ms` }, true), timeoutMs);
      };
      const finish = (failure, kill) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (kill) proc.kill('SIGKILL');
        resolve(failure);
      };
      proc.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
      proc.on('message', (m) => {
        if (m.start !== undefined) {
          current = { index: m.start, what: m.what };
          arm();
        } else if (m.done !== undefined) {
          results.set(m.done, { outcome: m.outcome, error: m.error, message: m.message, what: current?.what });
          onProgress?.(results.size);
          lastDone = { index: m.done, what: current?.what };
          current = undefined;
          clearTimeout(timer);
        }
      });
      proc.on('exit', (code, signal) => {
        if (!current && code === 0) return finish(undefined);
        const how = signal ?? `exit code ${code}`;
        // Before its first case: the harness is broken, not the input.
        if (!current && !lastDone) throw new Error(`fuzz child failed to start (${how}): ${stderr.slice(-1000)}`);
        // After its last case, while exiting (finalizers, environment teardown): the last case's fault.
        if (!current) return finish({ ...lastDone, outcome: 'crash', message: `${how} while the process exited after this case: ${stderr.slice(-500)}` });
        finish({ index: current.index, what: current.what, outcome: 'crash', message: `${signal ?? `exit code ${code}`}: ${stderr.trim().split('\n').slice(-6).join(' | ')}` });
      });
    });
  }
}

/** Counts by outcome (and error class), and the failures, as printable lines. */
function summarize(results) {
  const counts = new Map();
  const failures = [];
  for (const [index, r] of [...results].sort((a, b) => a[0] - b[0])) {
    const key = r.outcome === 'rejected' ? `rejected: ${r.error}` : r.outcome;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (!['ok', 'rejected'].includes(r.outcome)) failures.push({ index, ...r });
  }
  return { counts: Object.fromEntries([...counts].sort((a, b) => b[1] - a[1])), failures };
}

/**
 * The child's side: `prepare(index)` makes case `index` ({ what, input }), `run(input)` tries
 * it; an error it throws is classified as typed (a `WhisperError`) or not.
 */
function childLoop({ prepare, run, WhisperError }) {
  const [from, to] = process.argv.slice(2, 4).map(Number);
  (async () => {
    for (let i = from; i < to; i++) {
      const { what, input } = prepare(i);
      process.send({ start: i, what });
      let result;
      try {
        result = (await run(input)) ?? { outcome: 'ok' };
      } catch (error) {
        result = error instanceof WhisperError
          ? { outcome: 'rejected', error: error.constructor.name, message: error.message.slice(0, 300) }
          : { outcome: 'untyped', error: error?.constructor?.name, message: String(error?.message ?? error).slice(0, 300) };
      }
      process.send({ done: i, ...result });
    }
    process.disconnect();
  })().catch((error) => {
    console.error(error);
    process.exit(70);
  });
}

module.exports = { runCases, summarize, childLoop };
