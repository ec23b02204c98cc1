/**
 * Reading checkpoint files without loading them: exact reads at an offset, and a buffered
 * cursor for walking a header. Every read that runs past the end is a `truncated` error
 * naming the file and what was being read.
 */
import * as fs from 'node:fs/promises';

import { ConversionError } from '../errors';

export class SourceFile {
  private constructor(
    readonly path: string,
    readonly size: number,
    private readonly handle: fs.FileHandle,
  ) {}

  static async open(path: string): Promise<SourceFile> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(path, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const problem = code === 'ENOENT' ? 'missing-file' : 'corrupt';
      throw new ConversionError(problem, `cannot open ${path}: ${(error as Error).message}`, { cause: error });
    }
    const { size } = await handle.stat();
    return new SourceFile(path, size, handle);
  }

  /** Exactly `length` bytes at `offset` into `into` (or a new buffer). */
  async read(offset: number, length: number, what: string, into?: Buffer): Promise<Buffer> {
    if (offset + length > this.size) {
      throw new ConversionError('truncated', `${this.path} ends at byte ${this.size}, before the ${length} bytes of ${what} at byte ${offset}`);
    }
    const buffer = into ?? Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buffer, done, length - done, offset + done);
      if (bytesRead === 0) throw new ConversionError('truncated', `${this.path} shrank while it was read (${what})`);
      done += bytesRead;
    }
    return buffer;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Sequential little-endian reads through a window of the file. */
export class HeaderCursor {
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;
  position = 0;

  constructor(private readonly file: SourceFile) {}

  private async need(length: number, what: string): Promise<Buffer> {
    const end = this.position + length;
    if (this.position < this.windowStart || end > this.windowStart + this.window.length) {
      const chunk = Math.min(Math.max(length, 1 << 16), this.file.size - this.position);
      this.window = await this.file.read(this.position, Math.max(chunk, length), what);
      this.windowStart = this.position;
    }
    const at = this.position - this.windowStart;
    this.position = end;
    return this.window.subarray(at, at + length);
  }

  async u8(what: string): Promise<number> {
    return (await this.need(1, what)).readUInt8(0);
  }

  async u16(what: string): Promise<number> {
    return (await this.need(2, what)).readUInt16LE(0);
  }

  async u32(what: string): Promise<number> {
    return (await this.need(4, what)).readUInt32LE(0);
  }

  async bytes(length: number, what: string): Promise<Buffer> {
    return Buffer.from(await this.need(length, what));
  }

  skip(length: number, what: string): void {
    if (this.position + length > this.file.size) {
      throw new ConversionError('truncated', `${this.file.path} ends at byte ${this.file.size}, before the ${length} bytes of ${what} at byte ${this.position}`);
    }
    this.position += length;
  }
}
