/**
 * The long-running commands (`serve`, `worker`) end on SIGTERM or SIGINT (Ctrl-C): the
 * first signal starts a graceful stop, a second exits at once, with 128 + the signal's
 * number as a shell reports a process killed by it.
 */
import type { CliContext } from './model-choice';

/** Resolves once `stop()` (started by the first signal) has finished. */
export function untilSignal(signals: NodeJS.EventEmitter, context: CliContext, what: string, stop: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) {
        context.say(`whisper-napi: ${signal} again: exiting without waiting`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      stopping = true;
      context.say(`whisper-napi: ${signal}: ${what}`);
      stop().then(resolve, reject);
    };
    signals.on('SIGTERM', () => onSignal('SIGTERM'));
    signals.on('SIGINT', () => onSignal('SIGINT'));
  });
}
