// Our patches to the pinned whisper.cpp v1.9.1, applied by prepare-whisper-cpp.js to the
// copy in deps/whisper.cpp (the npm package itself stays untouched). Each one is a set of
// exact text replacements with the number of places each must match, so a patch that no
// longer fits fails loudly instead of half-applying. Keep them few and small.
'use strict';

const PATCHES = [
  {
    id: 'abort-during-compute',
    why:
      'whisper.cpp checks params.abort_callback only between whole encoder/decoder passes: ' +
      'its scheduler helper never gives the callback to ggml, so an abort during the encode of ' +
      'a 30-s window waits for the rest of it (~15 s for distil-medium.en on 2 cores). This ' +
      'hands the callback to every backend that takes one (the CPU backend checks it between ' +
      'graph nodes). Results are unchanged; only how soon an abort lands.',
    file: 'src/whisper.cpp',
    replacements: [
      {
        count: 1,
        before: `static bool ggml_graph_compute_helper(
      ggml_backend_sched_t   sched,
        struct ggml_cgraph * graph,
                       int   n_threads,
                      bool   sched_reset = true) {
    for (int i = 0; i < ggml_backend_sched_get_n_backends(sched); ++i) {
        ggml_backend_t backend = ggml_backend_sched_get_backend(sched, i);
        ggml_backend_dev_t dev = ggml_backend_get_device(backend);
        ggml_backend_reg_t reg = dev ? ggml_backend_dev_backend_reg(dev) : nullptr;
`,
        after: `static bool ggml_graph_compute_helper(
      ggml_backend_sched_t   sched,
        struct ggml_cgraph * graph,
                       int   n_threads,
                      bool   sched_reset = true,
         ggml_abort_callback abort_callback = nullptr,
                      void * abort_callback_data = nullptr) {
    for (int i = 0; i < ggml_backend_sched_get_n_backends(sched); ++i) {
        ggml_backend_t backend = ggml_backend_sched_get_backend(sched, i);
        ggml_backend_dev_t dev = ggml_backend_get_device(backend);
        ggml_backend_reg_t reg = dev ? ggml_backend_dev_backend_reg(dev) : nullptr;

        // whisper-napi patch abort-during-compute: let the backend check for an abort between graph nodes
        auto * fn_set_abort_callback = (ggml_backend_set_abort_callback_t) ggml_backend_reg_get_proc_address(reg, "ggml_backend_set_abort_callback");
        if (fn_set_abort_callback) {
            fn_set_abort_callback(backend, abort_callback, abort_callback_data);
        }
`,
      },
      {
        // The three encoder graphs (conv, encoder, cross) and the decoder graph.
        count: 4,
        before: 'if (!ggml_graph_compute_helper(sched, gf, n_threads)) {',
        after: 'if (!ggml_graph_compute_helper(sched, gf, n_threads, true, abort_callback, abort_callback_data)) {',
      },
    ],
  },
  {
    id: 'vad-with-state',
    why:
      'whisper.cpp applies its built-in VAD only in whisper_full(), on the context\'s own ' +
      'state; whisper_full_with_state() ignores params.vad, and the VAD step itself is ' +
      'static. This adds whisper_napi_full_with_state(): whisper_full()\'s VAD step followed ' +
      'by whisper_full_with_state(), on the caller\'s state, so jobs with their own states ' +
      'get the same VAD (and the same timestamp mapping) as whisper-cli. The VAD step also ' +
      'wrote to ctx->state->vad_segments instead of state->vad_segments, which works only ' +
      'for the context\'s own state (a context made without one crashes there).',
    file: 'src/whisper.cpp',
    replacements: [
      {
        count: 3,
        before: 'ctx->state->vad_segments',
        after: 'state->vad_segments',
      },
      {
        count: 1,
        before: 'int whisper_full_parallel(',
        after: `// whisper-napi patch vad-with-state: whisper_full() with an explicit state.
int whisper_napi_full_with_state(struct whisper_context *, struct whisper_state *, struct whisper_full_params, const float *, int);
int whisper_napi_full_with_state(
        struct whisper_context * ctx,
          struct whisper_state * state,
    struct whisper_full_params   params,
                   const float * samples,
                           int   n_samples) {
    std::vector<float> vad_samples;
    if (params.vad) {
        if (!whisper_vad(ctx, state, params, samples, n_samples, vad_samples)) {
            WHISPER_LOG_ERROR("%s: failed to compute VAD\\n", __func__);
            return -1;
        }
        if (vad_samples.empty()) {
            state->result_all.clear();
            return 0;
        }
        samples = vad_samples.data();
        n_samples = vad_samples.size();
    }
    return whisper_full_with_state(ctx, state, params, samples, n_samples);
}

int whisper_full_parallel(`,
      },
      {
        count: 1,
        before: 'int64_t whisper_full_get_segment_t0_from_state(struct whisper_state * state, int i_segment) {',
        after: `// whisper-napi patch vad-with-state: token times in original-audio time, as segment times are.
int64_t whisper_napi_original_time(struct whisper_state * state, int64_t t);
int64_t whisper_napi_original_time(struct whisper_state * state, int64_t t) {
    if (!state->has_vad_segments || state->vad_mapping_table.empty()) {
        return t;
    }
    return map_processed_to_original_time(t, state->vad_mapping_table);
}

int64_t whisper_full_get_segment_t0_from_state(struct whisper_state * state, int i_segment) {`,
      },
    ],
  },
  {
    id: 'no-timestamps-segment-times',
    why:
      'With no_timestamps (forced for first-generation distilled models such as ' +
      'distil-medium.en) the timestamp tokens are suppressed, yet a segment\'s start was still ' +
      'read from the first token\'s most likely timestamp token: a meaningless value, often ' +
      'far before the window (segments starting at -1007 s). Its end was the window start plus ' +
      'a full 30 s even when the audio ends sooner. The start is now the window\'s start and ' +
      'the end is capped at the end of the audio; the token-timestamp heuristic, which spreads ' +
      'a segment\'s tokens over [start, end], then stays inside the audio too.',
    file: 'src/whisper.cpp',
    replacements: [
      {
        count: 1,
        before: `                auto t0 = seek + 2*(tokens_cur.front().tid - whisper_token_beg(ctx));
`,
        after: `                // whisper-napi patch no-timestamps-segment-times
                auto t0 = params.no_timestamps ? seek : seek + 2*(tokens_cur.front().tid - whisper_token_beg(ctx));
`,
      },
      {
        count: 1,
        before: `                if (!text.empty()) {
                    const auto t1 = seek + seek_delta;
`,
        after: `                if (!text.empty()) {
                    const auto t1 = std::min(seek + seek_delta, seek_end);
`,
      },
    ],
  },
  {
    id: 'no-speech-at-sot',
    why:
      'The no-speech probability must be read at <|startoftranscript|> (as OpenAI\'s Whisper ' +
      'does), but whisper.cpp read row 0 of its logits buffer, which it fills only for the ' +
      'last prompt token: the value was left over from the previous window or job on that ' +
      'state (1/n_vocab on a fresh one). no_speech_thold therefore judged silence on stale ' +
      'numbers, and one input gave different noSpeechProbability values depending on which ' +
      'jobs had used the state before. This keeps the logits at <|startoftranscript|> too ' +
      '(the decoder computes them for every prompt token anyway) and reads those.',
    file: 'src/whisper.cpp',
    replacements: [
      {
        count: 1,
        before: `                whisper_batch_prep_legacy(state->batch, prompt.data(), prompt.size(), 0, 0);
`,
        after: `                whisper_batch_prep_legacy(state->batch, prompt.data(), prompt.size(), 0, 0);

                // whisper-napi patch no-speech-at-sot
                const int i_sot = (int) (prompt.size() - prompt_init.size());
                state->batch.logits[i_sot] = 1;
`,
      },
      {
        count: 1,
        before: `                    whisper_compute_logprobs(state->logits, n_logits, logprobs);
                    whisper_compute_probs(state->logits, n_logits, logprobs, probs);
`,
        after: `                    const size_t row = (size_t) i_sot*ctx->model.hparams.n_vocab;
                    const std::vector<float> logits_sot(state->logits.begin() + row, state->logits.begin() + row + n_logits);
                    whisper_compute_logprobs(logits_sot, n_logits, logprobs);
                    whisper_compute_probs(logits_sot, n_logits, logprobs, probs);
`,
      },
    ],
  },
  require('./patches/batch-invariant-decoding.js'),
  require('./patches/speculative-decoding.js'),
  require('./patches/dtw-timestamps.js'),
  require('./patches/sampler-seed.js'),
  require('./patches/independent-windows.js'),
];

/** Marker every patched tree contains (CMakeLists.txt refuses a tree without it). */
const MARKER = 'whisper-napi patch vad-with-state';

function countOf(text, needle) {
  let count = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}

/** Applies every patch to the tree at `root`; throws if any replacement does not fit. */
function applyPatches(root, fs = require('node:fs'), path = require('node:path')) {
  for (const patch of PATCHES) {
    // A patch edits one file (file, replacements) or several (edits).
    for (const edit of patch.edits ?? [patch]) {
      const file = path.join(root, edit.file);
      let text = fs.readFileSync(file, 'utf8');
      for (const { before, after, count } of edit.replacements) {
        const found = countOf(text, before);
        if (found !== count) {
          throw new Error(`patch ${patch.id}: expected ${count} match(es) in ${edit.file}, found ${found}`);
        }
        text = text.split(before).join(after);
      }
      fs.writeFileSync(file, text);
    }
  }
  return PATCHES.map((p) => p.id);
}

module.exports = { PATCHES, MARKER, applyPatches };

// `node scripts/whisper-cpp-patches.js <whisper.cpp checkout>` patches a checkout given by
// WHISPER_CPP_DIR (the addon needs the patches: it calls functions they add).
if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node scripts/whisper-cpp-patches.js <whisper.cpp checkout>');
    process.exit(2);
  }
  const fs = require('node:fs');
  const path = require('node:path');
  if (fs.readFileSync(path.join(dir, 'src', 'whisper.cpp'), 'utf8').includes(MARKER)) {
    console.log(`${dir} is already patched`);
  } else {
    console.log(`patched ${dir}: ${applyPatches(dir).join(', ')}`);
  }
}
