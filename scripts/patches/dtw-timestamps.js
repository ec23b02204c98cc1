// Patch dtw-timestamps: makes whisper.cpp's DTW token timing (whisper_context_params
// dtw_token_timestamps, the `dtw` load option) safe to run on any window. See `why`.
'use strict';

const replacements = [
  {
    count: 1,
    before: `                if (ctx->params.dtw_token_timestamps && n_segments) {
                    const int n_frames = std::min(std::min(WHISPER_CHUNK_SIZE * 100, seek_delta), seek_end - seek);
                    whisper_exp_compute_token_level_timestamps_dtw(
                            ctx, state, params, result_all.size() - n_segments, n_segments, seek, n_frames, 7, params.n_threads);
                    if (params.new_segment_callback) {
                        for (int seg = (int) result_all.size() - n_segments; seg < n_segments; seg++) {
                            params.new_segment_callback(ctx, state, seg, params.new_segment_callback_user_data);
                        }
                    }
                }`,
    after: `                if (ctx->params.dtw_token_timestamps && n_segments) {
                    // whisper-napi patch dtw-timestamps: at most the encoded frames (audio_ctx), and
                    // more frames than the median filter is wide; otherwise t_dtw stays -1.
                    const int n_audio_ctx_dtw = state->exp_n_audio_ctx > 0 ? state->exp_n_audio_ctx : ctx->model.hparams.n_audio_ctx;
                    const int n_frames = std::min(std::min(std::min(WHISPER_CHUNK_SIZE * 100, seek_delta), seek_end - seek), 2*n_audio_ctx_dtw);
                    if (n_frames/2 > 7) {
                        whisper_exp_compute_token_level_timestamps_dtw(
                                ctx, state, params, result_all.size() - n_segments, n_segments, seek, n_frames, 7, params.n_threads);
                    }
                    if (params.new_segment_callback) {
                        params.new_segment_callback(ctx, state, n_segments, params.new_segment_callback_user_data);
                    }
                }`,
  },
];

module.exports = {
  id: 'dtw-timestamps',
  why:
    'With dtw_token_timestamps, whisper.cpp holds back the new-segment callback until the ' +
    'window\'s DTW has run, then calls it with a segment index where the count of new ' +
    'segments belongs, and only in the first window (its loop runs while the index is below ' +
    'the count): streamed segments (onSegment) came out wrong or not at all. It is now called ' +
    'once per window with the count. The DTW step also asserted (abort()) when the window was ' +
    'longer than the encoded frames (audio_ctx below 1500) or when it spanned no more frames ' +
    'than the median filter is wide (a window that advances by under 0.16 s): the frames are ' +
    'now capped at the encoded ones, and such a short window keeps t_dtw = -1.',
  edits: [{ file: 'src/whisper.cpp', replacements }],
};
