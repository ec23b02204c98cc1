/**
 * Reading an encoded input at any offset, from a file (asynchronously, on the thread pool)
 * or from memory, so the WAV reader streams a file of hours in bounded slices.
 */
import { open, type FileHandle } from 'node:fs/promises';

import { InvalidAudioError } from '../errors';

export interface ByteReader {
  readonly size: number;
  /** Fills `target` from `position`; resolves to the number of bytes read (short at the end). */
  readInto(target: Uint8Array, position: number): Promise<number>;
  close(): Promise<void>;
}

export class MemoryReader implements ByteReader {
  readonly size: number;
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.size = bytes.byteLength;
  }

  async readInto(target: Uint8Array, position: number): Promise<number> {
    if (this.#bytes.byteLength !== this.size) {
      throw new InvalidAudioError('the audio buffer was detached or resized while it was being read; keep it unchanged until the promise settles');
    }
    const part = this.#bytes.subarray(position, position + target.byteLength);
    target.set(part);
    return part.byteLength;
  }

  async close(): Promise<void> {}
}

export class FileReader implements ByteReader {
  readonly size: number;
  readonly #handle: FileHandle;

  private constructor(handle: FileHandle, size: number) {
    this.#handle = handle;
    this.size = size;
  }

  static async open(path: string): Promise<FileReader> {
    let handle: FileHandle | undefined;
    try {
      handle = await open(path, 'r');
      const stat = await handle.stat();
      if (!stat.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
      return new FileReader(handle, stat.size);
    } catch (error) {
      await handle?.close();
      throw new InvalidAudioError(`cannot read audio file ${path}: ${(error as Error).message}`, { cause: error });
    }
  }

  async readInto(target: Uint8Array, position: number): Promise<number> {
    let filled = 0;
    while (filled < target.byteLength) {
      const { bytesRead } = await this.#handle.read(target, filled, target.byteLength - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled;
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}
