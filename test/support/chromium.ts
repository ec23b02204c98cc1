/**
 * The browser for the web page tests: the system's Chromium (Debian's `chromium` package),
 * driven by playwright-core. Playwright never downloads a browser here: a missing Chromium
 * fails the tests under CI (.ci/run must install it) and skips them loudly elsewhere.
 */
import * as fs from 'node:fs';

import type { Browser } from 'playwright-core';

import { plainToolEnv } from './sanitized';

export const CHROMIUM = process.env.WHISPER_NAPI_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return fs.existsSync(CHROMIUM) ? undefined : `${CHROMIUM} does not exist (Debian: apt-get install --no-install-recommends chromium)`;
}

/**
 * Headless Chromium whose microphone is `fakeAudio` (a WAV file, looped), granted without a
 * prompt.
 */
export async function launchChromium({ fakeAudio }: { fakeAudio: string }): Promise<Browser> {
  // Required here rather than imported: when Chromium is missing the suite skips before
  // anything needs playwright-core.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { chromium } = require('playwright-core') as typeof import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    // Chromium is not instrumented: without the ASan preload of npm run test:sanitized.
    env: plainToolEnv(),
    args: [
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${fakeAudio}`,
      // Chromium refuses to start as root with its sandbox on (containers, CI).
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ],
  });
}
