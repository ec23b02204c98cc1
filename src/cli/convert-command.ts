/** `whisper-napi convert <checkpoint> <out.bin> [--type f16|f32|q8_0|...]` */
import { CONVERSION_TYPES, convertModel, type ConversionType } from '../convert/convert-model';
import { InvalidOptionError } from '../errors';
import { formatBytes } from '../models/registry';
import type { CliContext } from './model-choice';

export async function convertCommand(args: string[], type: string | undefined, context: CliContext): Promise<void> {
  if (args.length !== 2) throw new InvalidOptionError('convert needs a checkpoint directory (CTranslate2 or Transformers) and an output file');
  if (type !== undefined && !(CONVERSION_TYPES as readonly string[]).includes(type)) {
    throw new InvalidOptionError(`convert --type must be one of ${CONVERSION_TYPES.join(', ')}, got '${type}'`);
  }
  const [input, output] = args as [string, string];
  context.say(`converting ${input}...`);
  let lastPercent = -1;
  const result = await convertModel(input, output, {
    ...(type !== undefined ? { type: type as ConversionType } : {}),
    onProgress: ({ bytesWritten, totalBytes }) => {
      const percent = Math.floor((100 * bytesWritten) / totalBytes);
      if (!context.quiet && percent >= lastPercent + 10) {
        lastPercent = percent;
        process.stderr.write(`  ${percent}%\n`);
      }
    },
  });
  const h = result.hparams;
  context.say(
    `wrote ${result.output}: ${formatBytes(result.bytes)}, ${result.type}, from a ${result.format} checkpoint ` +
      `(${h.nAudioLayer}+${h.nTextLayer} layers, width ${h.nAudioState}, ${h.nVocab} tokens) in ${result.seconds.toFixed(1)} s`,
  );
}
