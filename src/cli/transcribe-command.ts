/** `whisper-napi transcribe <files...>` */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { InvalidAudioError, InvalidOptionError } from '../errors';
import { formatTranscript, type TranscriptFormat } from '../formats';
import { loadModel, type WhisperModel } from '../model';
import type { TranscribeOptions } from '../types/options';
import { checkModelPrecision } from '../models/precision';
import { checkInteger } from './flags';
import { ensureModel, type CliContext } from './model-choice';
import { ProgressBar, QUIET } from './progress';

export interface TranscribeFlags {
  model?: string;
  precision?: string;
  format?: string;
  outputDir?: string;
  threads?: string;
  language?: string;
  prompt?: string;
  vad?: boolean;
  vadModel?: string;
  longForm?: string;
  assistant?: string;
  wordTimestamps?: boolean;
  dtw?: boolean;
  noFallback?: boolean;
  beamSize?: string;
  seed?: string;
}

const FORMATS: readonly TranscriptFormat[] = ['txt', 'srt', 'vtt', 'json'];

function checkFormat(format: string | undefined): TranscriptFormat {
  const chosen = format ?? 'txt';
  if (!(FORMATS as readonly string[]).includes(chosen)) throw new InvalidOptionError(`--format must be one of ${FORMATS.join(', ')}, got '${chosen}'`);
  return chosen as TranscriptFormat;
}


export async function transcribeCommand(files: string[], flags: TranscribeFlags, context: CliContext, out: (text: string) => void): Promise<void> {
  if (files.length === 0) throw new InvalidOptionError('transcribe needs at least one audio file');
  const format = checkFormat(flags.format);
  const threads = checkInteger('--threads', flags.threads, 1, 64);
  const beamSize = checkInteger('--beam-size', flags.beamSize, 1, 8);
  const seed = checkInteger('--seed', flags.seed, 0, 0xffff_ffff);
  const vadModel = flags.vadModel ?? (process.env.WHISPER_NAPI_VAD_MODEL || undefined);
  if (flags.vad && !vadModel) throw new InvalidOptionError('--vad needs a Silero VAD model: --vad-model <ggml-silero-v6.2.0.bin> or $WHISPER_NAPI_VAD_MODEL');
  for (const file of files) {
    if (!fs.existsSync(file)) throw new InvalidAudioError(`no such file: ${file}`);
  }
  if (flags.outputDir) fs.mkdirSync(flags.outputDir, { recursive: true });
  // <name>.<format>, or <name.ext>.<format> when two inputs share a name (a.wav, a.mp3).
  const names = files.map((f) => path.parse(f).name);
  const outputName = (file: string, i: number) => (names.indexOf(names[i]!) !== names.lastIndexOf(names[i]!) ? path.basename(file) : names[i]!);

  const precision = checkModelPrecision(flags.precision, '--precision');
  const modelPath = await ensureModel(flags.model, context, precision);
  // --dtw: word times by DTW on the model's alignment heads (implies --word-timestamps).
  const words = flags.wordTimestamps === true || flags.dtw === true;
  const model = await loadModel(modelPath, { ...(threads !== undefined ? { threads } : {}), ...(flags.dtw ? { dtw: true } : {}) });
  let assistant: WhisperModel | undefined;
  try {
    if (flags.assistant) assistant = await loadModel(await ensureModel(flags.assistant, context, precision), threads !== undefined ? { threads } : {});
    for (const [i, file] of files.entries()) {
      const bar = new ProgressBar(path.basename(file), context.quiet ? QUIET : process.stderr);
      const options: TranscribeOptions = {
        onProgress: (percent) => bar.update(percent / 100),
        ...(flags.language ? { language: flags.language } : {}),
        ...(flags.prompt ? { initialPrompt: flags.prompt } : {}),
        ...(flags.vad ? { vad: true } : {}),
        ...(vadModel ? { vadModel } : {}),
        ...(flags.longForm ? { longForm: flags.longForm as TranscribeOptions['longForm'] } : {}),
        ...(flags.dtw ? { tokens: true } : flags.wordTimestamps ? { tokenTimestamps: true } : {}),
        ...(flags.noFallback ? { temperatureIncrement: 0 } : {}),
        ...(beamSize !== undefined ? { beamSize } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(assistant ? { assistantModel: assistant } : {}),
      };
      let rendered: string;
      try {
        const transcript = await model.transcribe(file, options);
        rendered = formatTranscript(transcript, format, { words, vocabulary: model.info });
        const s = transcript.speculative;
        if (s) {
          context.say(
            `${path.basename(file)}: ${s.assistant} drafted ${s.draftedTokens} tokens, ${s.acceptedTokens} accepted ` +
              `(${(100 * s.acceptanceRate).toFixed(1)}%), ${s.decoderPassesSaved} of ${s.decoderPasses + s.decoderPassesSaved} decoder passes saved` +
              (s.encoderShared ? '' : '; encoders differ, so the assistant encoded every window itself'),
          );
        }
      } finally {
        bar.done();
      }
      if (flags.outputDir) {
        const target = path.join(flags.outputDir, `${outputName(file, i)}.${format}`);
        fs.writeFileSync(target, rendered);
        context.say(`wrote ${target}`);
      } else {
        if (files.length > 1) out(`==> ${file} <==\n`);
        out(rendered);
      }
    }
  } finally {
    await assistant?.dispose();
    await model.dispose();
  }
}
