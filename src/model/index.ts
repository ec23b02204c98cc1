/** The model: loading, transcription jobs and their queue, disposal (./whisper-model.ts). */
export { WhisperModel, loadModel, transcribeValidated } from './whisper-model';
