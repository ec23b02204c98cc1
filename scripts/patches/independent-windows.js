// Patch independent-windows: lets a caller decode each window of one whisper_full call
// without the text of the windows before it (whisper_napi_set_window_context). See `why`.
'use strict';

const replacements = [
  {
    count: 1,
    before: '    std::vector<whisper_token>   prompt_past1; // dynamic context from decoded output\n',
    after:
      '    std::vector<whisper_token>   prompt_past1; // dynamic context from decoded output\n' +
      '    bool napi_window_context = true; // whisper-napi patch independent-windows\n',
  },
  {
    count: 1,
    before: `            // update prompt_past1
            prompt_past1.clear();
            if (!params.carry_initial_prompt && !prompt.empty() && prompt.front() == whisper_token_prev(ctx)) {
                prompt_past1.insert(prompt_past1.end(), prompt.begin() + 1, prompt.end() - prompt_init.size());
            }

            // Add newly decoded tokens to the rolling context
            if (!is_no_speech) {`,
    after: `            // update prompt_past1
            prompt_past1.clear();
            // whisper-napi patch independent-windows: without window context the next window
            // starts from nothing (the initial prompt stays only with carry_initial_prompt).
            if (state->napi_window_context && !params.carry_initial_prompt && !prompt.empty() && prompt.front() == whisper_token_prev(ctx)) {
                prompt_past1.insert(prompt_past1.end(), prompt.begin() + 1, prompt.end() - prompt_init.size());
            }

            // Add newly decoded tokens to the rolling context
            if (state->napi_window_context && !is_no_speech) {`,
  },
  {
    count: 1,
    before: 'void whisper_napi_set_sampler_seed(struct whisper_state * state, uint32_t seed);\n',
    after:
      '// whisper-napi patch independent-windows: whether each window of a whisper_full call is\n' +
      '// conditioned on the text decoded before it in that call (upstream: always).\n' +
      'void whisper_napi_set_window_context(struct whisper_state * state, bool enabled);\n' +
      'void whisper_napi_set_window_context(struct whisper_state * state, bool enabled) {\n' +
      '    state->napi_window_context = enabled;\n' +
      '}\n\n' +
      'void whisper_napi_set_sampler_seed(struct whisper_state * state, uint32_t seed);\n',
  },
];

module.exports = {
  id: 'independent-windows',
  why:
    'whisper.cpp\'s no_context only drops text left in the state by an earlier call: within ' +
    'one call every window is conditioned on the text decoded before it, and nothing turns ' +
    'that off. OpenAI\'s Whisper offers it (condition_on_previous_text=False) because a ' +
    'window that went wrong (a loop, a hallucination) otherwise primes the next ones to go ' +
    'wrong the same way. A flag on the state (set per job from the noContext option) now ' +
    'leaves the rolling context empty after each window; it is on (upstream behaviour) by ' +
    'default.',
  edits: [{ file: 'src/whisper.cpp', replacements }],
};
