/** Options: the table (./table.ts), validation (./validate.ts) and the mapping to the addon (./native-params.ts). */
export { defaultThreads, toNativeLoadOptions, toNativeParams } from './native-params';
export { transcribeDefault } from './table';
export { checkOptionsForModel, validateDetectLanguageOptions, validateLoadOptions, validateTranscribeOptions } from './validate';
