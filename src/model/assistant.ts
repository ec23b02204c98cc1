/**
 * Option `assistantModel` (speculative decoding): whether a model can draft for another,
 * decided once per pair off the JS thread (binding/speculative/assistant_pair.h), and a
 * warning, once per pair, when it cannot reuse the main model's encoder output.
 */
import { fromNativeError, InvalidOptionError } from '../errors';
import type { NativeModel } from '../native';
import type { ModelInfo } from '../types/model-info';

/** A model as the checks see it: its facts and its native handle. */
export interface CheckedModel {
  info: ModelInfo;
  native: NativeModel;
}

/** The checks of one main model, by assistant (weakly held: they go with the assistant). */
export class AssistantChecks {
  readonly #checks = new WeakMap<object, Promise<{ problem: string | null; sameEncoderWeights: boolean }>>();
  readonly #warned = new WeakSet<object>();

  /**
   * Whether `assistant` (keyed by `key`, its WhisperModel) may draft for `main`, and whether
   * it shares main's encoder weights; throws InvalidOptionError when it cannot draft.
   */
  async check(main: CheckedModel, key: object, assistant: CheckedModel): Promise<{ sharesEncoder: boolean }> {
    let check = this.#checks.get(key);
    if (!check) {
      check = main.native.checkAssistant(assistant.native);
      this.#checks.set(key, check);
    }
    let result;
    try {
      result = await check;
    } catch (error) {
      this.#checks.delete(key); // e.g. disposed meanwhile: check again next time
      throw fromNativeError(error);
    }
    if (result.problem !== null) {
      throw new InvalidOptionError(`transcribe option 'assistantModel': ${assistant.info.type} cannot draft for ${main.info.type}: ${result.problem}`);
    }
    if (!result.sameEncoderWeights && !this.#warned.has(key)) {
      this.#warned.add(key);
      process.emitWarning(
        `the assistant model's encoder weights (${assistant.info.type}) differ from ${main.info.type}'s, so it runs its own encoder on every window: speculative decoding then saves less`,
        { code: 'WHISPER_NAPI_ASSISTANT_ENCODER' },
      );
    }
    return { sharesEncoder: result.sameEncoderWeights };
  }
}
