/**
 * The `whisper-napi` command line. Errors end the process with a one-line message on
 * stderr (exit 1; 2 for bad usage: unknown command or option, bad option value) and no
 * stack trace unless --verbose.
 */
import { parseArgs } from 'node:util';

import { InvalidOptionError, WhisperError } from '../errors';
import { convertCommand } from './convert-command';
import { downloadCommand, infoCommand, modelsCommand, quantizeCommand, versionText } from './commands';
import type { CliContext } from './model-choice';
import { serveCommand } from './serve-command';
import { transcribeCommand } from './transcribe-command';
import { USAGE } from './usage';
import { workerCommand } from './worker-command';

const OPTIONS = {
  model: { type: 'string' },
  precision: { type: 'string' },
  format: { type: 'string' },
  'output-dir': { type: 'string' },
  threads: { type: 'string' },
  language: { type: 'string' },
  prompt: { type: 'string' },
  vad: { type: 'boolean' },
  'vad-model': { type: 'string' },
  'long-form': { type: 'string' },
  assistant: { type: 'string' },
  'word-timestamps': { type: 'boolean' },
  dtw: { type: 'boolean' },
  'no-fallback': { type: 'boolean' },
  'beam-size': { type: 'string' },
  seed: { type: 'string' },
  sha256: { type: 'string' },
  type: { type: 'string' },
  'cache-dir': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'api-key': { type: 'string' },
  'max-concurrency': { type: 'string' },
  'max-queue': { type: 'string' },
  'max-upload-mb': { type: 'string' },
  cors: { type: 'string', multiple: true },
  'shutdown-timeout': { type: 'string' },
  'max-live-sessions': { type: 'string' },
  'max-live-seconds': { type: 'string' },
  'live-idle-timeout': { type: 'string' },
  redis: { type: 'string' },
  queue: { type: 'string' },
  concurrency: { type: 'string' },
  'lock-duration': { type: 'string' },
  'stalled-interval': { type: 'string' },
  quiet: { type: 'boolean' },
  verbose: { type: 'boolean' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

async function run(argv: string[], out: (text: string) => void): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values: flags, positionals } = parsed;
  if (flags.help) return out(USAGE);
  if (flags.version) return out(versionText());
  const [command, ...args] = positionals;
  const context: CliContext = {
    cacheDir: flags['cache-dir'],
    quiet: flags.quiet === true,
    say: (message) => {
      if (!flags.quiet) process.stderr.write(`${message}\n`);
    },
  };
  switch (command) {
    case 'transcribe':
      return transcribeCommand(
        args,
        {
          model: flags.model,
          precision: flags.precision,
          format: flags.format,
          outputDir: flags['output-dir'],
          threads: flags.threads,
          language: flags.language,
          prompt: flags.prompt,
          vad: flags.vad,
          vadModel: flags['vad-model'],
          longForm: flags['long-form'],
          assistant: flags.assistant,
          wordTimestamps: flags['word-timestamps'],
          dtw: flags.dtw,
          noFallback: flags['no-fallback'],
          beamSize: flags['beam-size'],
          seed: flags.seed,
        },
        context,
        out,
      );
    case 'serve':
      return serveCommand(
        args,
        {
          model: flags.model,
          precision: flags.precision,
          host: flags.host,
          port: flags.port,
          apiKey: flags['api-key'],
          maxConcurrency: flags['max-concurrency'],
          maxQueue: flags['max-queue'],
          maxUploadMb: flags['max-upload-mb'],
          cors: flags.cors,
          shutdownTimeout: flags['shutdown-timeout'],
          maxLiveSessions: flags['max-live-sessions'],
          maxLiveSeconds: flags['max-live-seconds'],
          liveIdleTimeout: flags['live-idle-timeout'],
          threads: flags.threads,
          redis: flags.redis,
          queue: flags.queue,
        },
        context,
      );
    case 'worker':
      return workerCommand(
        args,
        {
          redis: flags.redis,
          queue: flags.queue,
          concurrency: flags.concurrency,
          model: flags.model,
          precision: flags.precision,
          threads: flags.threads,
          shutdownTimeout: flags['shutdown-timeout'],
          lockDuration: flags['lock-duration'],
          stalledInterval: flags['stalled-interval'],
        },
        context,
      );
    case 'download':
      return downloadCommand(args, flags.sha256, context, out);
    case 'models':
      return modelsCommand(context, out);
    case 'info':
      return infoCommand(args, context, out);
    case 'quantize':
      return quantizeCommand(args, flags.type, context);
    case 'convert':
      return convertCommand(args, flags.type, context);
    case undefined:
      throw new UsageError('no command given');
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

/** Runs the CLI; resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const out = (text: string) => void process.stdout.write(text);
  try {
    await run(argv, out);
    return 0;
  } catch (error) {
    const usage = error instanceof UsageError || error instanceof InvalidOptionError;
    const message = (error as Error).message ?? String(error);
    // One line (the first of a long message: its gist); all of it with --verbose.
    process.stderr.write(`whisper-napi: ${verbose ? message : message.split('\n')[0]}\n`);
    if (error instanceof UsageError) process.stderr.write("Run 'whisper-napi --help' for usage.\n");
    if (verbose) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    else if (!(error instanceof WhisperError) && !usage) process.stderr.write('(run with --verbose for details)\n');
    return usage ? 2 : 1;
  }
}
