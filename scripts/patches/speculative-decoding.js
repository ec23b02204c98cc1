// whisper-napi patch speculative-decoding (whisper.cpp).
//
// whisper_full_with_state() decodes one token per decoder pass and offers no place to check
// a drafted continuation. This adds, for greedy decoding at temperature 0 only:
//   - a draft callback on the state (whisper_napi_set_draft_callback). Before each decoder
//     pass it may propose up to n_max tokens; the pass then feeds the current token and the
//     draft together, marked batch-invariant (patch batch-invariant-decoding), and keeps
//     the logits of every row. As long as the sampled tokens equal the draft, the following
//     steps take their logits from those rows instead of running the decoder again. At the
//     first disagreement the rejected rest of the draft is removed from the KV cache and
//     decoding goes on from the model's own token. Sampling, timestamp rules, grammar,
//     segment ends and fallbacks run per step exactly as before, on logits that are bit for
//     bit those of one-token passes, so the tokens are the same as without a draft.
//   - whisper_napi_encode_like(): gets an assistant model's state ready to decode the window
//     another model just encoded, either from that model's encoder output (when the two
//     encoders hold the same weights: only the assistant's cross-attention keys and values
//     are computed) or by running its own encoder on the same mel window.
//   - whisper_napi_encoders_equal(): whether two loaded models' encoder tensors are equal.
'use strict';

const { MARK } = require('./batch-invariant-decoding.js');

const replacements = [
  {
    count: 1,
    before: 'struct whisper_state {\n',
    after: `// whisper-napi patch speculative-decoding: called before each decoder pass of greedy
// decoding at temperature 0; proposes up to n_max tokens (0 near the end of the text
// context) to follow \`tokens\` (n_prompt prompt tokens, then the tokens sampled so far in
// this window) and returns how many it wrote to \`draft\`. n_accepted: how many tokens of its
// previous proposal in this decoding pass were accepted (-1: there was none). Called once
// more with draft == nullptr when the pass is over: then only n_accepted is news.
typedef int (*whisper_napi_draft_callback)(const whisper_token * tokens, int n_tokens, int n_prompt, int n_accepted,
                                           whisper_token * draft, int n_max, void * user_data);

struct whisper_state {
`,
  },
  {
    count: 1,
    before: '    std::vector<float> inp_mel;\n',
    after: `    std::vector<float> inp_mel;

    // whisper-napi patch speculative-decoding
    whisper_napi_draft_callback napi_draft_callback = nullptr;
    void * napi_draft_callback_user_data = nullptr;
    int napi_mel_offset = 0;              // mel offset of the last encoder pass
    bool napi_embd_enc_from_input = false; // the cross graph reads napi_embd_enc instead of embd_enc
    std::vector<float> napi_embd_enc;
`,
  },
  {
    count: 1,
    before: '    struct ggml_tensor * cur = ggml_view_tensor(ctx0, wstate.embd_enc);\n',
    after: `    // whisper-napi patch speculative-decoding: another model's encoder output, copied in
    struct ggml_tensor * cur = nullptr;
    if (wstate.napi_embd_enc_from_input) {
        cur = ggml_new_tensor_2d(ctx0, GGML_TYPE_F32, n_state, n_ctx);
        ggml_set_name(cur, "napi_embd_enc");
        ggml_set_input(cur);
    } else {
        cur = ggml_view_tensor(ctx0, wstate.embd_enc);
    }
`,
  },
  {
    count: 1,
    before: '        auto & sched = wstate.sched_conv.sched;\n',
    after: `        auto & sched = wstate.sched_conv.sched;

        wstate.napi_mel_offset = mel_offset; // whisper-napi patch speculative-decoding
`,
  },
  {
    count: 1,
    before: `                   bool   save_alignment_heads_QKs,
    ggml_abort_callback   abort_callback,
                   void * abort_callback_data) {
    const int64_t t_start_us = ggml_time_us();

    const auto & model   = wctx.model;
    const auto & hparams = model.hparams;

    const int n_vocab  = hparams.n_vocab;`,
    after: `                   bool   save_alignment_heads_QKs,
    ggml_abort_callback   abort_callback,
                   void * abort_callback_data,
                   bool   batch_invariant = false) {
    const int64_t t_start_us = ggml_time_us();

    const auto & model   = wctx.model;
    const auto & hparams = model.hparams;

    const int n_vocab  = hparams.n_vocab;`,
  },
  {
    count: 1,
    before: '        ggml_cgraph * gf = whisper_build_graph_decoder(wctx, wstate, batch, save_alignment_heads_QKs, false);\n',
    after: `        ggml_cgraph * gf = whisper_build_graph_decoder(wctx, wstate, batch, save_alignment_heads_QKs, false);

        // whisper-napi patch speculative-decoding: a verification pass computes every row
        // as a one-token pass would (patch batch-invariant-decoding)
        if (batch_invariant) {
            for (int i = 0; i < ggml_graph_n_nodes(gf); ++i) {
                struct ggml_tensor * node = ggml_graph_node(gf, i);
                if (node->op == GGML_OP_MUL_MAT) {
                    node->op_params[2] = ${MARK};
                } else if (node->op == GGML_OP_FLASH_ATTN_EXT) {
                    node->op_params[4] = ${MARK};
                    node->op_params[5] = (int32_t) whisper_kv_cache_get_padding(wctx);
                }
            }
        }
`,
  },
  {
    count: 1,
    before: '            for (int i = 0, n_max = whisper_n_text_ctx(ctx)/2 - 4; i < n_max; ++i) {\n',
    after: `            // whisper-napi patch speculative-decoding
            const bool spec = state->napi_draft_callback != nullptr && params.strategy == WHISPER_SAMPLING_GREEDY &&
                              n_decoders_cur == 1 && t_cur < 1e-6f;
            std::vector<whisper_token> spec_batch;  // the last verification pass: the token it fed, then the draft
            std::vector<whisper_token> spec_tokens; // what the draft callback sees
            std::vector<whisper_token> spec_draft;
            int spec_pos = 0;                       // position of spec_batch[0]
            // how many draft tokens of the last verification pass the sampled tokens matched
            const auto spec_n_accepted = [&]() -> int {
                if (spec_batch.empty()) {
                    return -1;
                }
                const auto & tokens = state->decoders[0].sequence.tokens;
                int n = 0;
                for (int j = 1; j < (int) spec_batch.size(); ++j) {
                    const int idx = spec_pos + j - (int) prompt.size();
                    if (idx >= (int) tokens.size() || tokens[idx].id != spec_batch[j]) {
                        break;
                    }
                    ++n;
                }
                return n;
            };

            for (int i = 0, n_max = whisper_n_text_ctx(ctx)/2 - 4; i < n_max; ++i) {
`,
  },
  {
    count: 1,
    before: `                    assert(batch.n_tokens > 0);

                    if (!whisper_decode_internal(*ctx, *state, state->batch, params.n_threads, false, params.abort_callback, params.abort_callback_user_data)) {`,
    after: `                    assert(batch.n_tokens > 0);

                    // whisper-napi patch speculative-decoding
                    bool spec_reuse = false;
                    if (spec) {
                        auto & decoder = state->decoders[0];
                        const int r = n_past - spec_pos;
                        const int n_accepted = spec_n_accepted();
                        if (!spec_batch.empty() && r < (int) spec_batch.size() && n_accepted >= r) {
                            // the draft held so far: the verification pass computed this step's logits already
                            decoder.i_batch = r;
                            spec_reuse = true;
                        } else {
                            if (!spec_batch.empty()) {
                                whisper_kv_cache_seq_rm(state->kv_self, 0, n_past, -1); // the rejected rest of the draft
                            }
                            // At most 16 tokens per verification pass: the BLAS backends take products
                            // of 32 rows and more only, so the pass stays on the CPU kernels that
                            // batch-invariant-decoding covers. Positions stay inside the text context.
                            const int n_max_draft = std::max(0, std::min(15, whisper_n_text_ctx(ctx) - 1 - n_past));
                            spec_tokens.assign(prompt.begin(), prompt.end());
                            for (const auto & token : decoder.sequence.tokens) {
                                spec_tokens.push_back(token.id);
                            }
                            spec_draft.assign(n_max_draft + 1, 0);
                            int n_draft = state->napi_draft_callback(
                                    spec_tokens.data(), (int) spec_tokens.size(), (int) prompt.size(), n_accepted,
                                    spec_draft.data(), n_max_draft, state->napi_draft_callback_user_data);
                            n_draft = std::max(0, std::min(n_draft, n_max_draft));
                            for (int j = 0; j < n_draft; ++j) {
                                if (spec_draft[j] < 0 || spec_draft[j] >= ctx->model.hparams.n_vocab) {
                                    n_draft = j;
                                    break;
                                }
                            }
                            spec_pos = n_past;
                            spec_batch.assign(1, batch.token[0]);
                            for (int j = 0; j < n_draft; ++j) {
                                spec_batch.push_back(spec_draft[j]);
                                batch.token   [1 + j]    = spec_draft[j];
                                batch.pos     [1 + j]    = n_past + 1 + j;
                                batch.n_seq_id[1 + j]    = 1;
                                batch.seq_id  [1 + j][0] = 0;
                                batch.logits  [1 + j]    = 1;
                            }
                            batch.n_tokens = 1 + n_draft;
                        }
                    }

                    if (!spec_reuse && !whisper_decode_internal(*ctx, *state, state->batch, params.n_threads, false, params.abort_callback, params.abort_callback_user_data, spec && batch.n_tokens > 1)) {`,
  },
  {
    count: 1,
    before: '            // rank the resulting sequences and select the best one\n',
    after: `            // whisper-napi patch speculative-decoding: the outcome of the last proposal
            if (spec && !spec_batch.empty()) {
                state->napi_draft_callback(nullptr, 0, (int) prompt.size(), spec_n_accepted(), nullptr, 0,
                                           state->napi_draft_callback_user_data);
            }

            // rank the resulting sequences and select the best one
`,
  },
  {
    count: 1,
    before: 'int whisper_encode(struct whisper_context * ctx, int offset, int n_threads) {\n',
    after: `// whisper-napi patch speculative-decoding ------------------------------------------------
void whisper_napi_set_draft_callback(struct whisper_state * state, whisper_napi_draft_callback callback, void * user_data);
void whisper_napi_set_draft_callback(struct whisper_state * state, whisper_napi_draft_callback callback, void * user_data) {
    state->napi_draft_callback = callback;
    state->napi_draft_callback_user_data = user_data;
}

// Gets \`state\` (a state of \`ctx\`, the assistant) ready to decode the window that \`source\` (a
// state of the main model, with the same audio encoder shape) encoded last. With
// share_encoder_output, the two encoders hold the same weights: take source's encoder output
// and compute only ctx's cross-attention keys and values. Otherwise run ctx's own encoder on
// source's mel window. 0 on success.
int whisper_napi_encode_like(struct whisper_context * ctx, struct whisper_state * state, struct whisper_state * source,
                             bool share_encoder_output, int n_threads, ggml_abort_callback abort_callback, void * abort_callback_data);
int whisper_napi_encode_like(struct whisper_context * ctx, struct whisper_state * state, struct whisper_state * source,
                             bool share_encoder_output, int n_threads, ggml_abort_callback abort_callback, void * abort_callback_data) {
    const auto & hparams = ctx->model.hparams;
    if (source->embd_enc == nullptr || source->mel.n_mel != hparams.n_mels) {
        return -1;
    }
    state->exp_n_audio_ctx = source->exp_n_audio_ctx;
    const int n_ctx = state->exp_n_audio_ctx > 0 ? state->exp_n_audio_ctx : hparams.n_audio_ctx;

    // A new window: nothing of the previous one (or of an earlier job on this pooled state,
    // beam-search sequences included) stays in the self-attention cache.
    whisper_kv_cache_clear(state->kv_self);

    if (!share_encoder_output) {
        // The window's columns of source's mel only (the whole input's mel may be long).
        const auto & mel = source->mel;
        const int i0 = std::min(source->napi_mel_offset, mel.n_len);
        const int n = std::min(2*n_ctx, mel.n_len - i0);
        state->mel.n_mel = mel.n_mel;
        state->mel.n_len = n;
        state->mel.n_len_org = n;
        state->mel.data.assign((size_t) mel.n_mel * n, 0.0f);
        for (int j = 0; j < mel.n_mel; ++j) {
            std::copy_n(mel.data.begin() + (size_t) j*mel.n_len + i0, n, state->mel.data.begin() + (size_t) j*n);
        }
        return whisper_encode_internal(*ctx, *state, 0, n_threads, abort_callback, abort_callback_data) ? 0 : -2;
    }

    if (source->embd_enc->ne[0] != hparams.n_audio_state || source->embd_enc->ne[1] != n_ctx) {
        return -3;
    }
    state->napi_embd_enc.resize(ggml_nelements(source->embd_enc));
    ggml_backend_tensor_get(source->embd_enc, state->napi_embd_enc.data(), 0, ggml_nbytes(source->embd_enc));

    auto & sched = state->sched_cross.sched;
    state->napi_embd_enc_from_input = true;
    ggml_cgraph * gf = whisper_build_graph_cross(*ctx, *state);
    state->napi_embd_enc_from_input = false;
    if (!ggml_backend_sched_alloc_graph(sched, gf)) {
        return -4;
    }
    struct ggml_tensor * input = ggml_graph_get_tensor(gf, "napi_embd_enc");
    ggml_backend_tensor_set(input, state->napi_embd_enc.data(), 0, ggml_nbytes(input));
    if (!ggml_graph_compute_helper(sched, gf, n_threads, true, abort_callback, abort_callback_data)) {
        return -5;
    }
    return 0;
}

// 1 when verification passes on \`state\` compute exactly what one-token passes compute, i.e.
// patch batch-invariant-decoding covers every kernel they run: flash attention on (without
// it softmax and dot-product tails depend on the cache length), no GPU backend, and weights
// only in plain or repacked CPU buffers (not AMX or KleidiAI ones).
int whisper_napi_exact_verification(struct whisper_context * ctx, struct whisper_state * state);
int whisper_napi_exact_verification(struct whisper_context * ctx, struct whisper_state * state) {
#if defined(__MMA__)
    return 0; // POWER10: llamafile's sgemm takes one-column products too
#endif
    if (!ctx->params.flash_attn) {
        return 0;
    }
    for (ggml_backend_t backend : state->backends) {
        ggml_backend_dev_t dev = ggml_backend_get_device(backend);
        const auto type = dev ? ggml_backend_dev_type(dev) : GGML_BACKEND_DEVICE_TYPE_CPU;
        if (type == GGML_BACKEND_DEVICE_TYPE_GPU || type == GGML_BACKEND_DEVICE_TYPE_IGPU) {
            return 0;
        }
    }
    for (const auto & entry : ctx->model.tensors) {
        const ggml_tensor * t = entry.second;
        if (t->buffer == nullptr) {
            continue;
        }
        const char * name = ggml_backend_buft_name(ggml_backend_buffer_get_type(t->buffer));
        if (strcmp(name, "CPU") != 0 && strcmp(name, "CPU_REPACK") != 0) {
            return 0;
        }
    }
    return 1;
}

// The encoder passes run on a state (whisper.cpp's own count), so that sharing is checked, not assumed.
int whisper_napi_encoder_passes(struct whisper_state * state);
int whisper_napi_encoder_passes(struct whisper_state * state) {
    return state->n_encode;
}

// 1 when every encoder tensor ("encoder.*") of \`a\` has a twin in \`b\` of the same type, shape
// and bytes (and \`b\` has no others), 0 otherwise.
int whisper_napi_encoders_equal(struct whisper_context * a, struct whisper_context * b);
int whisper_napi_encoders_equal(struct whisper_context * a, struct whisper_context * b) {
    const auto is_encoder = [](const std::string & name) { return name.rfind("encoder.", 0) == 0; };
    size_t n_b = 0;
    for (const auto & entry : b->model.tensors) {
        n_b += is_encoder(entry.first) ? 1 : 0;
    }
    const auto on_cpu = [](const ggml_tensor * t) {
        ggml_backend_dev_t dev = t->buffer ? ggml_backend_buft_get_device(ggml_backend_buffer_get_type(t->buffer)) : nullptr;
        return dev != nullptr && ggml_backend_dev_type(dev) == GGML_BACKEND_DEVICE_TYPE_CPU && t->data != nullptr;
    };
    const size_t piece = 16u << 20;
    std::vector<uint8_t> buf_a, buf_b;
    size_t n_a = 0;
    for (const auto & entry : a->model.tensors) {
        if (!is_encoder(entry.first)) {
            continue;
        }
        ++n_a;
        const auto it = b->model.tensors.find(entry.first);
        if (it == b->model.tensors.end()) {
            return 0;
        }
        const ggml_tensor * ta = entry.second;
        const ggml_tensor * tb = it->second;
        if (ta->type != tb->type || !ggml_are_same_shape(ta, tb)) {
            return 0;
        }
        const size_t n = ggml_nbytes(ta);
        if (on_cpu(ta) && on_cpu(tb)) {
            if (memcmp(ta->data, tb->data, n) != 0) {
                return 0;
            }
            continue;
        }
        for (size_t off = 0; off < n; off += piece) {
            const size_t len = std::min(piece, n - off);
            buf_a.resize(len);
            buf_b.resize(len);
            ggml_backend_tensor_get(ta, buf_a.data(), off, len);
            ggml_backend_tensor_get(tb, buf_b.data(), off, len);
            if (memcmp(buf_a.data(), buf_b.data(), len) != 0) {
                return 0;
            }
        }
    }
    return n_a > 0 && n_a == n_b ? 1 : 0;
}

int whisper_encode(struct whisper_context * ctx, int offset, int n_threads) {
`,
  },
];

module.exports = {
  id: 'speculative-decoding',
  why:
    'whisper_full_with_state() decodes one token per decoder pass and has no way to check a ' +
    'drafted continuation; speculative decoding needs a draft hook in its greedy loop, an ' +
    'assistant state that can take the main model\'s encoder output, and a way to tell ' +
    'whether two models\' encoders are the same weights. Without a draft callback set on ' +
    'the state, nothing changes.',
  edits: [{ file: 'src/whisper.cpp', replacements }],
};
