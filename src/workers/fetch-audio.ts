/**
 * Downloads a job's `url` audio into memory, bounded in size and time. An answer that says
 * the URL is wrong (4xx) fails the job at once (`InvalidJobError`); a network failure or a
 * server error (5xx) is worth another attempt, so it is a plain error the queue retries.
 */
import { InvalidJobError } from '../errors';

export interface DownloadLimits {
  timeoutMs: number;
  maxBytes: number;
}

export async function fetchAudio(url: string, signal: AbortSignal, limits: DownloadLimits): Promise<Buffer> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const combined = AbortSignal.any([signal, timeout]);
  let response: Response;
  try {
    response = await fetch(url, { signal: combined, redirect: 'follow' });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new Error(`could not download ${url}: ${timeout.aborted ? `no answer in ${limits.timeoutMs / 1000} s` : (error as Error).message}`, { cause: error });
  }
  if (response.status >= 400 && response.status < 500) {
    await response.body?.cancel().catch(() => {});
    throw new InvalidJobError(`the job's audio URL answered ${response.status} ${response.statusText}: ${url}`);
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel().catch(() => {});
    throw new Error(`could not download ${url}: HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    await response.body.cancel().catch(() => {});
    throw new InvalidJobError(`the job's audio at ${url} is ${declared} bytes; this worker downloads at most ${limits.maxBytes}`);
  }
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      if (bytes > limits.maxBytes) throw new InvalidJobError(`the job's audio at ${url} is larger than this worker downloads (${limits.maxBytes} bytes)`);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof InvalidJobError) throw error;
    if (signal.aborted) throw signal.reason;
    throw new Error(`could not download ${url}: ${timeout.aborted ? `not done in ${limits.timeoutMs / 1000} s` : (error as Error).message}`, { cause: error });
  }
  return Buffer.concat(chunks, bytes);
}
