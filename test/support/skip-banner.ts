/**
 * Tests that need real weights are skipped without WHISPER_TEST_MODEL; this says so loudly
 * (jest also reports them as skipped, never as passed).
 */
export function warnSkipped(lines: string[]): void {
  const bar = '!'.repeat(78);
  console.warn(`\n${bar}\n${lines.map((line) => `!!  ${line}`).join('\n')}\n${bar}\n`);
}
