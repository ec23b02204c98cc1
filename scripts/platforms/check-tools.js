// The small helpers the platform checks (check-arm64.js, check-win32.js) share: prefixed
// output, failing with an exit status, running a command that must succeed, and asking
// whether a tool is installed.
'use strict';
const { spawnSync } = require('node:child_process');

/** Helpers whose lines start with `check:<name>:`; commands run in `cwd` unless told otherwise. */
function checkTools(name, cwd) {
  const say = (line) => console.log(`check:${name}: ${line}`);
  function fail(line, status = 1) {
    console.error(`check:${name}: FAILED: ${line}`);
    process.exit(status);
  }
  /** Runs `command`; fails the check unless it exits 0; returns its stdout. */
  function run(command, args, options = {}) {
    const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
    if (result.error) fail(`${command} ${args.join(' ')}: ${result.error.message}`);
    if (result.status !== 0) fail(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}${options.stdio === 'inherit' ? '' : `\n${result.stdout}${result.stderr}`}`);
    return result.stdout;
  }
  const has = (command) => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
  return { say, fail, run, has };
}

module.exports = { checkTools };
