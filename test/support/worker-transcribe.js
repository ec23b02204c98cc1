// Runs inside a worker_thread: loads a model with the built package (dist/cjs) and
// transcribes the samples it is sent. Plain JS: worker threads are not under ts-jest.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { loadModel } = require('../../dist/cjs/index.js');

(async () => {
  const model = await loadModel(workerData.model, { threads: workerData.threads });
  parentPort.postMessage({ type: 'loaded' });
  const transcript = await model.transcribe(workerData.samples, workerData.options);
  await model.dispose();
  parentPort.postMessage({ type: 'done', segments: transcript.segments });
})().catch((error) => parentPort.postMessage({ type: 'error', message: String(error && error.stack) }));
