/** What the server tests share: which model they serve, and small HTTP helpers. */
import * as http from 'node:http';

import { REAL_TIER } from './real-tier';
import { MODELS, modelPath } from './paths';

/** The real tiny.en when the real-model tier is prepared; the generated tiny.en otherwise. */
export const SERVED = REAL_TIER?.models['tiny.en']?.ggml
  ? { file: REAL_TIER.models['tiny.en'].ggml, real: true }
  : { file: modelPath(MODELS.tiny), real: false };

/** Lower case, no punctuation, single spaces: enough to compare what was said. */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export const JFK_WORDS = 'ask not what your country can do for you';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A multipart body with the given fields and one file part. */
export function multipartBody(fields: Record<string, string>, file: Buffer | undefined, filename = 'audio.wav'): { body: Buffer; contentType: string } {
  const boundary = `----whisper-napi-test-${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file !== undefined) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
    chunks.push(file, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** One request with a whole body; resolves with the answer however the status. */
export function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Reads one Prometheus sample (`name` or `name{labels}`) from /metrics text. */
export function metric(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  if (line === undefined) throw new Error(`no sample ${sample} in /metrics`);
  return Number(line.slice(sample.length + 1));
}
