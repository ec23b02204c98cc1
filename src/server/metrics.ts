/**
 * The server's counters, rendered in Prometheus' text format (version 0.0.4) for
 * `GET /metrics`. Gauges that describe the present (queue depth, running jobs, memory)
 * are read when scraped, so they cannot drift from the truth.
 */
import { ERROR_KINDS, type ErrorKind } from './http-errors';

export interface LiveGauges {
  waiting: number;
  running: number;
  inFlight: number;
  /** Live WebSocket sessions open (or upgrading). */
  liveSessions: number;
}

/** Upper bounds (seconds) of the request-duration histogram. */
const DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export class ServerMetrics {
  readonly #requests = new Map<string, number>();
  readonly #errors = new Map<ErrorKind, number>();
  readonly #durationCounts = DURATION_BUCKETS.map(() => 0);
  #durationCount = 0;
  #durationSum = 0;
  #audioSeconds = 0;
  #processingSeconds = 0;
  #jobs = 0;
  #lastRealTimeFactor = 0;
  #liveSessions = 0;
  #liveAudioSeconds = 0;

  /** A finished request of a route (its pattern, e.g. `/v1/audio/transcriptions`). */
  request(route: string, status: number, seconds: number): void {
    const key = `${route}\u0000${status}`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    // A live session's length is its client's business, not the server's latency.
    if (!route.startsWith('/v1/audio/') || status === 101) return;
    this.#durationCount++;
    this.#durationSum += seconds;
    DURATION_BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) this.#durationCounts[i]!++;
    });
  }

  error(kind: ErrorKind): void {
    this.#errors.set(kind, (this.#errors.get(kind) ?? 0) + 1);
  }

  /** A transcription that completed: its audio length and the time the model took. */
  job(audioSeconds: number, processingSeconds: number): void {
    this.#jobs++;
    this.#audioSeconds += audioSeconds;
    this.#processingSeconds += processingSeconds;
    if (audioSeconds > 0) this.#lastRealTimeFactor = processingSeconds / audioSeconds;
  }

  /** A live session that ended, with the seconds of audio its client sent. */
  liveSessionEnded(audioSeconds: number): void {
    this.#liveSessions++;
    this.#liveAudioSeconds += audioSeconds;
  }

  /** Mean processing time of the transcriptions so far; undefined before the first. */
  meanJobSeconds(): number | undefined {
    return this.#jobs > 0 ? this.#processingSeconds / this.#jobs : undefined;
  }

  get completedJobs(): number {
    return this.#jobs;
  }

  render(live: LiveGauges, modelName: string): string {
    const lines: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${Number.isFinite(value) ? value : 0}`);
    };
    const label = (pairs: Record<string, string | number>) =>
      `{${Object.entries(pairs)
        .map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
        .join(',')}}`;

    metric('whisper_napi_info', 'gauge', 'The model this server transcribes with.', [[label({ model: modelName }), 1]]);
    metric('whisper_napi_queue_depth', 'gauge', 'Transcriptions waiting for a decoding slot.', [['', live.waiting]]);
    metric('whisper_napi_jobs_running', 'gauge', 'Transcriptions decoding now.', [['', live.running]]);
    metric('whisper_napi_requests_in_flight', 'gauge', 'Audio requests admitted and not yet answered (uploading, waiting or running).', [['', live.inFlight]]);
    metric('whisper_napi_live_sessions', 'gauge', 'Live transcription WebSocket sessions open.', [['', live.liveSessions]]);
    metric(
      'whisper_napi_requests_total',
      'counter',
      'HTTP requests answered, by route and status.',
      [...this.#requests].map(([key, n]) => {
        const [route, status] = key.split('\u0000');
        return [label({ route: route!, status: status! }), n];
      }),
    );
    metric('whisper_napi_errors_total', 'counter', 'Requests that failed, by kind.', ERROR_KINDS.map((kind) => [label({ kind }), this.#errors.get(kind) ?? 0]));
    metric('whisper_napi_transcriptions_total', 'counter', 'Transcriptions completed.', [['', this.#jobs]]);
    metric('whisper_napi_audio_seconds_total', 'counter', 'Seconds of audio transcribed.', [['', this.#audioSeconds]]);
    metric('whisper_napi_processing_seconds_total', 'counter', 'Seconds the model spent on those transcriptions.', [['', this.#processingSeconds]]);
    metric('whisper_napi_live_sessions_total', 'counter', 'Live transcription sessions ended.', [['', this.#liveSessions]]);
    metric('whisper_napi_live_audio_seconds_total', 'counter', 'Seconds of audio received by live sessions.', [['', this.#liveAudioSeconds]]);
    metric('whisper_napi_real_time_factor', 'gauge', 'Processing time over audio time: of all transcriptions so far (scope="all") and of the last one (scope="last"); below 1 is faster than real time.', [
      [label({ scope: 'all' }), this.#audioSeconds > 0 ? this.#processingSeconds / this.#audioSeconds : 0],
      [label({ scope: 'last' }), this.#lastRealTimeFactor],
    ]);
    metric('whisper_napi_request_duration_seconds', 'histogram', 'Time from request to answer of the audio routes, upload included.', [
      ...DURATION_BUCKETS.map((bound, i): [string, number] => [label({ le: bound }), this.#durationCounts[i]!]),
      [label({ le: '+Inf' }), this.#durationCount],
    ]);
    // Histogram sum and count lines carry their own suffixes.
    lines.push(`whisper_napi_request_duration_seconds_sum ${this.#durationSum}`, `whisper_napi_request_duration_seconds_count ${this.#durationCount}`);
    metric('process_resident_memory_bytes', 'gauge', 'Resident set size of the server process.', [['', process.memoryUsage.rss()]]);
    return `${lines.join('\n')}\n`;
  }
}
