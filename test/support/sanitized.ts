/**
 * True under `npm run test:sanitized`. AddressSanitizer's allocator keeps freed memory in a
 * quarantine (256 MB by default, to catch use after free) and pads every block, so RSS
 * bounds mean nothing there; LeakSanitizer checks for leaks instead. RSS assertions are
 * skipped in that run, and only in that run.
 */
export const SANITIZED = process.env.WHISPER_NAPI_SANITIZED === '1';

/** `test`, or `test.skip` (reported as skipped) under the sanitizers. */
export const rssTest: jest.It = SANITIZED ? test.skip : test;

/**
 * The environment for programs that are not node (whisper-cli, cmake, sox, npm): without
 * the preloaded ASan runtime. They are not instrumented, and with it loaded a program that
 * aborts (whisper-cli on an f32 model) or forks (cmake) can hang in the sanitizer's exit
 * path instead of ending.
 */
export function plainToolEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (SANITIZED) {
    for (const key of ['LD_PRELOAD', 'ASAN_OPTIONS', 'LSAN_OPTIONS', 'UBSAN_OPTIONS']) delete env[key];
  }
  return env;
}
