/**
 * Reads an OpenAI-style multipart form: one `file` part (the audio) and text fields. The
 * file is counted as it streams in and refused with 413 the moment it passes the limit, so
 * a larger upload is never held whole; fields and parts are bounded too.
 */
import type { FastifyRequest } from 'fastify';

import { HttpError, badRequest } from './http-errors';

export interface UploadedForm {
  audio: Buffer;
  filename: string;
  /** Text fields; a field sent more than once (`timestamp_granularities[]`) keeps every value. */
  fields: Map<string, string[]>;
}

export interface UploadLimits {
  maxUploadBytes: number;
}

/** Form fields are short (a prompt is at most a few hundred tokens). */
const MAX_FIELD_BYTES = 64 * 1024;
const MAX_FIELDS = 32;

export function tooLarge(limit: number): HttpError {
  const mb = (limit / (1024 * 1024)).toFixed(limit % (1024 * 1024) === 0 ? 0 : 1);
  // The rest of the upload is not read: the connection closes after the answer.
  return new HttpError(413, 'too_large', `the audio file is larger than this server accepts (${mb} MiB; see --max-upload-mb)`, {
    param: 'file',
    code: 'file_too_large',
    headers: { connection: 'close' },
  });
}

export async function readUpload(request: FastifyRequest, limits: UploadLimits): Promise<UploadedForm> {
  if (!request.isMultipart()) {
    throw badRequest("the request must be multipart/form-data with the audio in a 'file' field", 'file');
  }
  const fields = new Map<string, string[]>();
  let audio: Buffer | undefined;
  let filename = '';
  const parts = request.parts({
    limits: { fileSize: limits.maxUploadBytes + 1, files: 1, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, parts: MAX_FIELDS + 1 },
  });
  for await (const part of parts) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file') {
        part.file.resume();
        throw badRequest(`unexpected file field '${part.fieldname}': the audio goes in 'file'`, part.fieldname);
      }
      const chunks: Buffer[] = [];
      let bytes = 0;
      for await (const chunk of part.file as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        if (bytes > limits.maxUploadBytes) throw tooLarge(limits.maxUploadBytes);
        chunks.push(chunk);
      }
      audio = Buffer.concat(chunks, bytes);
      filename = part.filename;
    } else {
      if (part.valueTruncated) throw badRequest(`field '${part.fieldname}' is longer than ${MAX_FIELD_BYTES} bytes`, part.fieldname);
      const values = fields.get(part.fieldname) ?? [];
      values.push(String(part.value));
      fields.set(part.fieldname, values);
    }
  }
  if (audio === undefined) throw badRequest("the form has no 'file' field with the audio", 'file');
  if (audio.length === 0) throw new HttpError(400, 'invalid_audio', 'the audio file is empty', { param: 'file', code: 'invalid_audio' });
  return { audio, filename, fields };
}
