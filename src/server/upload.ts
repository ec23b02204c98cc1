/**
 * Reads an OpenAI-style multipart form: one `file` part (the audio) and text fields. The
 * upload limit lives here whole: a declared Content-Length past it is refused before a
 * byte is read, and the file is counted as it streams in and refused with 413 the moment
 * it passes the limit, so a larger upload is never held. An upload that stalls, or whose
 * request is aborted (shutdown deadline), ends the connection instead of holding its place.
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
  /** Longest wait for the next bytes of the upload. */
  idleMs: number;
  /** Aborted: the connection is ended (the reason is the signal's). */
  signal: AbortSignal;
}

/** Form fields are short (a prompt is at most a few hundred tokens). */
const MAX_FIELD_BYTES = 64 * 1024;
const MAX_FIELDS = 32;
/** Multipart framing and the text fields, on top of the audio itself. */
const FORM_OVERHEAD_BYTES = MAX_FIELDS * 1024 + 64 * 1024;

export class UploadStalledError extends HttpError {
  constructor(idleMs: number) {
    super(408, 'upload_stalled', `no bytes of the upload arrived for ${idleMs / 1000} s`, { code: 'upload_stalled' });
  }
}

export function tooLarge(limit: number): HttpError {
  const mb = (limit / (1024 * 1024)).toFixed(limit % (1024 * 1024) === 0 ? 0 : 1);
  // The rest of the upload is not read: the connection closes after the answer.
  return new HttpError(413, 'too_large', `the audio file is larger than this server accepts (${mb} MiB)`, {
    param: 'file',
    code: 'file_too_large',
    headers: { connection: 'close' },
  });
}

/** Before anything is read: a body announced larger than any form the server accepts. */
export function checkDeclaredLength(request: FastifyRequest, maxUploadBytes: number): void {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxUploadBytes + FORM_OVERHEAD_BYTES) throw tooLarge(maxUploadBytes);
}

/** The multipart parser's own errors, as the client's fault they are. */
function formError(error: unknown, maxUploadBytes: number): HttpError {
  if (error instanceof HttpError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(maxUploadBytes);
  if (code === 'FST_FILES_LIMIT') return badRequest("the form has more than one file part: send the audio alone, in 'file'", 'file');
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return badRequest(`the form has more than ${MAX_FIELDS} fields`);
  return badRequest(`the multipart body could not be read: ${(error as Error).message}`, 'file');
}

export async function readUpload(request: FastifyRequest, limits: UploadLimits): Promise<UploadedForm> {
  if (!request.isMultipart()) {
    throw new HttpError(400, 'bad_request', "the request must be multipart/form-data with the audio in a 'file' field", {
      param: 'file',
      // The body, of whatever size, is not read.
      headers: { connection: 'close' },
    });
  }
  const raw = request.raw;
  const stall = setTimeout(() => raw.destroy(new UploadStalledError(limits.idleMs)), limits.idleMs);
  const touch = () => stall.refresh();
  const abort = () => raw.destroy(limits.signal.reason instanceof Error ? limits.signal.reason : undefined);
  raw.on('data', touch);
  limits.signal.addEventListener('abort', abort, { once: true });
  try {
    return await readParts(request, limits.maxUploadBytes);
  } catch (error) {
    // A destroyed request says why through the error it was destroyed with.
    const cause = (raw as { errored?: unknown }).errored;
    throw cause instanceof HttpError ? cause : formError(error, limits.maxUploadBytes);
  } finally {
    clearTimeout(stall);
    raw.off('data', touch);
    limits.signal.removeEventListener('abort', abort);
  }
}

async function readParts(request: FastifyRequest, maxUploadBytes: number): Promise<UploadedForm> {
  const fields = new Map<string, string[]>();
  let audio: Buffer | undefined;
  let filename = '';
  const parts = request.parts({
    limits: { fileSize: maxUploadBytes + 1, files: 1, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, parts: MAX_FIELDS + 1 },
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
        if (bytes > maxUploadBytes) throw tooLarge(maxUploadBytes);
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
