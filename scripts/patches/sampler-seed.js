// Patch sampler-seed: every whisper_full call samples from generators seeded afresh from a
// seed the caller chooses (whisper_napi_set_sampler_seed), so that a transcript no longer
// depends on what ran on the decoding state before. See `why`.
'use strict';

const replacements = [
  {
    count: 1,
    before: '    whisper_decoder decoders[WHISPER_MAX_DECODERS];\n',
    after:
      '    whisper_decoder decoders[WHISPER_MAX_DECODERS];\n' +
      '    uint32_t napi_sampler_seed = 0; // whisper-napi patch sampler-seed\n',
  },
  {
    count: 1,
    before: `    // TAGS: WHISPER_DECODER_INIT
    for (int j = 1; j < n_decoders; j++) {
`,
    after: `    // whisper-napi patch sampler-seed: decoder 0 too, on every call (it was seeded once per state)
    state->decoders[0].rng = std::mt19937(state->napi_sampler_seed);

    // TAGS: WHISPER_DECODER_INIT
    for (int j = 1; j < n_decoders; j++) {
`,
  },
  {
    count: 1,
    before: '        decoder.rng = std::mt19937(j);\n',
    after: '        decoder.rng = std::mt19937(state->napi_sampler_seed + j); // whisper-napi patch sampler-seed\n',
  },
  {
    count: 1,
    before: 'int whisper_decode_with_state(struct whisper_context * ctx, struct whisper_state * state, const whisper_token * tokens, int n_tokens, int n_past, int n_threads) {\n',
    after:
      '// whisper-napi patch sampler-seed: decoder j of every later whisper_full call on this state\n' +
      '// samples from std::mt19937(seed + j); seed 0 gives what a fresh state gives upstream.\n' +
      'void whisper_napi_set_sampler_seed(struct whisper_state * state, uint32_t seed);\n' +
      'void whisper_napi_set_sampler_seed(struct whisper_state * state, uint32_t seed) {\n' +
      '    state->napi_sampler_seed = seed;\n' +
      '}\n\n' +
      'int whisper_decode_with_state(struct whisper_context * ctx, struct whisper_state * state, const whisper_token * tokens, int n_tokens, int n_past, int n_threads) {\n',
  },
];

module.exports = {
  id: 'sampler-seed',
  why:
    'With the temperature fallback, whisper.cpp samples with one std::mt19937 per decoder. ' +
    'Decoder 0\'s generator is seeded once, when the state is made, and runs on from job to ' +
    'job; the others restart at mt19937(j) on every call. A pooled state therefore gave the ' +
    'same audio a different transcript depending on which jobs had sampled on it before (the ' +
    'same call twice in a row could differ). Every call now seeds all its decoders from a ' +
    'seed set on the state (the `seed` option, default 0): decoder j gets mt19937(seed + j), ' +
    'which for seed 0 is exactly what a fresh state gets upstream, so whisper-cli\'s ' +
    'one-call output is unchanged.',
  edits: [{ file: 'src/whisper.cpp', replacements }],
};
