// whisper-napi patch batch-invariant-decoding (ggml's CPU backend).
//
// Speculative decoding (src/speculative.ts, binding/speculative_drafter.cc) checks a draft of
// k tokens in one decoder pass over k + 1 tokens. Its output must equal token-by-token
// decoding exactly, and that holds only if every row of the batched pass is computed with
// the same arithmetic, in the same order, as a one-token pass. ggml does not promise that:
//   - a matrix product with two or more columns goes to llamafile's tinyBLAS, one column to
//     ggml's dot products (different summation order), and ARM's int8 matrix kernels take
//     two columns at once;
//   - weights repacked for the CPU (q4_0, q4_K, iq4_nl, q8_0 ... on AVX2) use a 4-column
//     GEMM kernel for groups of four columns and a GEMV kernel otherwise;
//   - flash attention splits the keys of a one-row call across threads when there are
//     512 or more and combines the partial sums, while several rows go through the one-chunk
//     or the tiled kernel; and the number of keys itself (the cache length, padded) is the
//     batch's, not the row's.
// whisper.cpp marks the nodes of a verification pass (op_params, below); for marked nodes
// the CPU backend computes each column/row as a one-column/one-row call would. Nothing
// changes for unmarked graphs, so ordinary decoding and whisper-cli are untouched.
'use strict';

// Marker value in op_params: MUL_MAT slot 2; FLASH_ATTN_EXT slot 4 (slot 5: the cache's
// length padding, as whisper.cpp pads kv_self.n).
const MARK = '0x5EC0DE';

const mulMat = {
  file: 'ggml/src/ggml-cpu/ggml-cpu.c',
  replacements: [
    {
      count: 1,
      before: `    const int32_t hint = ggml_get_op_params_i32(dst, 1);
    if (hint == GGML_HINT_SRC0_IS_HADAMARD && !params->use_ref) {`,
      after: `    const int32_t hint = ggml_get_op_params_i32(dst, 1);
    // whisper-napi patch batch-invariant-decoding: every column as a one-column product computes it
    const bool batch_invariant = ggml_get_op_params_i32(dst, 2) == ${MARK};
    GGML_UNUSED(batch_invariant);
    if (hint == GGML_HINT_SRC0_IS_HADAMARD && !params->use_ref) {`,
    },
    {
      count: 1,
      before: `    const bool src1_cont = ggml_is_contiguous(src1);

    if (src1_cont) {
        for (int64_t i13 = 0; i13 < ne13; i13++)`,
      after: `    const bool src1_cont = ggml_is_contiguous(src1);

    if (src1_cont && !batch_invariant) {
        for (int64_t i13 = 0; i13 < ne13; i13++)`,
    },
    {
      // ARM's int8 matrix-multiply kernels (mmla) take two columns at a time.
      count: 1,
      before: `        if ((nr0 % 2 != 0) || (ne11 % 2 != 0) || ((ir0_end - ir0_start) % 2 != 0) || ((ir1_end - ir1_start) % 2 != 0)) {`,
      after: `        if (batch_invariant || (nr0 % 2 != 0) || (ne11 % 2 != 0) || ((ir0_end - ir0_start) % 2 != 0) || ((ir1_end - ir1_start) % 2 != 0)) {`,
    },
    {
      count: 1,
      before: `#if GGML_USE_LLAMAFILE
    if (src1->type != vec_dot_type) {`,
      after: `#if GGML_USE_LLAMAFILE
    if (src1->type != vec_dot_type && !batch_invariant) {`,
    },
  ],
};

const repack = {
  file: 'ggml/src/ggml-cpu/repack.cpp',
  replacements: [
    {
      count: 1,
      before: `        // If there are more than three rows in src1, use gemm; otherwise, use gemv.
        if (nrows > 3) {
            gemm<BLOC_TYPE, INTER_SIZE, NB_COLS, PARAM_TYPE>(ne00, (float *) (dst_ptr) + src0_start, nb1 / nb0,
                                                             src0_ptr + src0_start * nb01, src1_ptr,
                                                             nrows - (nrows % 4), ncols);
        }
        for (int iter = nrows - (nrows % 4); iter < nrows; iter++) {`,
      after: `        // whisper-napi patch batch-invariant-decoding: GEMV for every column, as for one column
        const int64_t nrows_gemm = ggml_get_op_params_i32(op, 2) == ${MARK} ? 0 : nrows - (nrows % 4);

        // If there are more than three rows in src1, use gemm; otherwise, use gemv.
        if (nrows_gemm > 0) {
            gemm<BLOC_TYPE, INTER_SIZE, NB_COLS, PARAM_TYPE>(ne00, (float *) (dst_ptr) + src0_start, nb1 / nb0,
                                                             src0_ptr + src0_start * nb01, src1_ptr,
                                                             nrows_gemm, ncols);
        }
        for (int iter = nrows_gemm; iter < nrows; iter++) {`,
    },
    {
      count: 1,
      before: `            for (int64_t i11 = ith * 4; i11 < ne11 - ne11 % 4; i11 += nth * 4) {
                ggml_quantize_mat_t<INTER_SIZE, PARAM_TYPE>((float *) (data_ptr + i11 * nb11),
                                                            (void *) (wdata_ptr + i11 * nbw1), 4, ne10);
            }

            const int64_t i11_processed = ne11 - ne11 % 4;`,
      after: `            // whisper-napi patch batch-invariant-decoding: GEMV's layout for every column
            const int64_t i11_processed = ggml_get_op_params_i32(op, 2) == ${MARK} ? 0 : ne11 - ne11 % 4;
            for (int64_t i11 = ith * 4; i11 < i11_processed; i11 += nth * 4) {
                ggml_quantize_mat_t<INTER_SIZE, PARAM_TYPE>((float *) (data_ptr + i11 * nb11),
                                                            (void *) (wdata_ptr + i11 * nbw1), 4, ne10);
            }
`,
    },
  ],
};

const flashAttention = {
  file: 'ggml/src/ggml-cpu/ops.cpp',
  replacements: [
    {
      // Partial sums are indexed by head, which is what the row index was for one-row calls.
      count: 1,
      before: `            float * partial = partials + ir * partial_stride;`,
      after: `            float * partial = partials + (iq3*neq2 + iq2) * partial_stride;`,
    },
    {
      count: 1,
      before: `static void ggml_flash_attn_ext_reduce_partials(
        const ggml_compute_params * params,
        ggml_tensor * dst,
        const int64_t n_chunks,
        const int64_t chunk_size) {`,
      after: `static void ggml_flash_attn_ext_reduce_partials(
        const ggml_compute_params * params,
        ggml_tensor * dst,
        const int64_t n_chunks,
        const int64_t chunk_size,
        const int64_t iq1 = 0,
        const int64_t n_kv = -1) {`,
    },
    {
      count: 1,
      before: `    const int64_t nek1      = k->ne[1];
    const int64_t n_q_heads = q->ne[2];`,
      after: `    const int64_t nek1      = n_kv >= 0 ? n_kv : k->ne[1];
    const int64_t n_q_heads = q->ne[2];`,
    },
    {
      count: 1,
      before: `        memcpy((char *) dst->data + (0*ne2*ne1 + q_head + 0*ne1)*nb1, VKQ_final, nb1);`,
      after: `        memcpy((char *) dst->data + (0*ne2*ne1 + q_head + iq1*ne1)*nb1, VKQ_final, nb1);`,
    },
    {
      count: 1,
      before: `static void ggml_compute_forward_flash_attn_ext_f16(
        const ggml_compute_params * params,
        ggml_tensor * dst) {
`,
      after: `// whisper-napi patch batch-invariant-decoding: each query row exactly as a one-row call
// computes it. That call would see only the keys up to the row's last unmasked one, padded
// as the caller pads its cache (op_params[5]); it splits them across threads when there
// are 512 or more, and runs the one-chunk kernel over them otherwise.
static void ggml_compute_forward_flash_attn_ext_f16_rows_as_single(
        const ggml_compute_params * params,
        ggml_tensor * dst) {
    const ggml_tensor * q    = dst->src[0];
    const ggml_tensor * k    = dst->src[1];
    const ggml_tensor * v    = dst->src[2];
    const ggml_tensor * mask = dst->src[3];

    const int64_t DK   = k->ne[0];
    const int64_t DV   = v->ne[0];
    const int64_t nek1 = k->ne[1];
    const int64_t neq1 = q->ne[1];
    const int64_t neq2 = q->ne[2];
    GGML_ASSERT(q->ne[3] == 1);

    const int ith = params->ith;
    const int nth = params->nth;

    const int64_t kv_pad = std::max<int32_t>(1, ggml_get_op_params_i32(dst, 5));
    const bool can_split = (k->type == GGML_TYPE_F32 || k->type == GGML_TYPE_F16) && k->type == v->type && q->type == GGML_TYPE_F32;

    for (int64_t iq1 = 0; iq1 < neq1; ++iq1) {
        int64_t n_kv = nek1;
        if (mask) {
            const ggml_fp16_t * mp = (const ggml_fp16_t *) ((const char *) mask->data + iq1*mask->nb[1]);
            int64_t valid_end = 0;
            for (int64_t ic = nek1; ic > 0; --ic) {
                if (GGML_CPU_FP16_TO_FP32(mp[ic - 1]) != -INFINITY) {
                    valid_end = ic;
                    break;
                }
            }
            n_kv = std::min(nek1, std::max(kv_pad, (valid_end + kv_pad - 1)/kv_pad*kv_pad));
        }

        if (can_split && n_kv >= 512) {
            const int64_t chunk_size = (n_kv + nth - 1) / nth;
            const int64_t partial_size  = 2 + DV;
            float *       partials_base = (float *) params->wdata + nth * (DK + 2*DV + CACHE_LINE_SIZE_F32);
            float *       chunk_partials = partials_base + ith * partial_size;
            const int64_t ic_start = ith * chunk_size;
            const int64_t ic_end   = std::min(ic_start + chunk_size, n_kv);

            for (int64_t q_head = 0; q_head < neq2; q_head++) {
                if (ic_start < n_kv) {
                    ggml_compute_forward_flash_attn_ext_f16_one_chunk(
                        params, dst, q_head*neq1 + iq1, q_head*neq1 + iq1 + 1, ic_start, ic_end,
                        chunk_partials, nth * partial_size);
                } else {
                    float * q_partials = chunk_partials + q_head * nth * partial_size;
                    q_partials[0] = -INFINITY;
                    q_partials[1] = 0.0f;
                }
            }

            ggml_barrier(params->threadpool);
            ggml_flash_attn_ext_reduce_partials(params, dst, nth, chunk_size, iq1, n_kv);
            ggml_barrier(params->threadpool);
        } else {
            for (int64_t q_head = ith; q_head < neq2; q_head += nth) {
                ggml_compute_forward_flash_attn_ext_f16_one_chunk(
                    params, dst, q_head*neq1 + iq1, q_head*neq1 + iq1 + 1, 0, n_kv, nullptr, 0);
            }
        }
    }
}

static void ggml_compute_forward_flash_attn_ext_f16(
        const ggml_compute_params * params,
        ggml_tensor * dst) {

    // whisper-napi patch batch-invariant-decoding
    if (ggml_get_op_params_i32(dst, 4) == ${MARK} && dst->src[0]->ne[1] > 1) {
        ggml_compute_forward_flash_attn_ext_f16_rows_as_single(params, dst);
        return;
    }
`,
    },
  ],
};

module.exports = {
  id: 'batch-invariant-decoding',
  why:
    'Speculative decoding must give exactly the tokens of one-token-at-a-time decoding, so ' +
    'the rows of its batched verification passes must be computed as one-row passes compute ' +
    'them; ggml picks other kernels (tinyBLAS, 4-column GEMM, unsplit flash attention) for ' +
    'batches. Nodes whisper.cpp marks get one-row arithmetic on the CPU backend; unmarked ' +
    'graphs are unchanged.',
  edits: [mulMat, repack, flashAttention],
  MARK,
};
