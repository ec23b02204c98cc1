/**
 * The conversion's worker thread: reads the checkpoint's headers, then streams every
 * tensor into the output file. All of it runs here, off the caller's JS thread; the
 * main side (convert-model.ts) only starts it and relays its messages.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { ConversionError } from '../errors';
import { planFromCheckpoint } from './checkpoint';
import { writeGgmlWhisper, type FloatType, type WriteProgress } from './ggml-writer';
import type { CheckpointFormat } from './whisper-plan';
import type { WhisperHparams } from './whisper-layout';

export interface ConvertJob {
  input: string;
  file: string;
  weights: FloatType;
}

export type WorkerMessage =
  | ({ kind: 'progress' } & WriteProgress)
  | { kind: 'done'; format: CheckpointFormat; hparams: WhisperHparams; bytes: number; alignmentHeads?: [number, number][] }
  | { kind: 'error'; problem?: ConversionError['problem']; message: string; stack?: string };

async function run(job: ConvertJob): Promise<WorkerMessage> {
  const plan = await planFromCheckpoint(job.input);
  try {
    const bytes = await writeGgmlWhisper(plan, job.file, job.weights, (p) => parentPort!.postMessage({ kind: 'progress', ...p } satisfies WorkerMessage));
    return { kind: 'done', format: plan.format, hparams: plan.hparams, bytes, ...(plan.alignmentHeads ? { alignmentHeads: plan.alignmentHeads } : {}) };
  } finally {
    await Promise.all(plan.files.map((f) => f.close()));
  }
}

if (parentPort) {
  run(workerData as ConvertJob).then(
    (message) => parentPort!.postMessage(message),
    (error: unknown) => {
      const e = error as Error;
      const message: WorkerMessage = { kind: 'error', message: e.message ?? String(error), ...(e.stack ? { stack: e.stack } : {}) };
      if (error instanceof ConversionError) message.problem = error.problem;
      parentPort!.postMessage(message);
    },
  );
}
