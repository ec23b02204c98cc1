/** A one-line progress bar on stderr, drawn only when stderr is a terminal. */
import { formatBytes } from '../models/registry';

const WIDTH = 30;

/** Where the bar is drawn: stderr, or anything with `isTTY` and `write` (tests). */
export interface BarStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export class ProgressBar {
  readonly #enabled: boolean;
  readonly #stream: BarStream;
  #last = '';

  constructor(
    private readonly label: string,
    stream: BarStream = process.stderr,
  ) {
    this.#stream = stream;
    this.#enabled = stream.isTTY === true;
  }

  /** `fraction` in [0, 1] (clamped: the bar never shows past 100%), with an optional note ("120 MB of 794 MB"). */
  update(fraction: number, note = ''): void {
    if (!this.#enabled) return;
    const clamped = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
    const done = Math.round(clamped * WIDTH);
    const line = `${this.label} [${'#'.repeat(done)}${' '.repeat(WIDTH - done)}] ${Math.floor(clamped * 100)
      .toString()
      .padStart(3)}%${note ? ` ${note}` : ''}`;
    if (line === this.#last) return;
    this.#last = line;
    this.#stream.write(`\r\x1b[2K${line}`);
  }

  bytes(downloaded: number, total: number | undefined): void {
    this.update(total ? downloaded / total : 0, total ? `${formatBytes(downloaded)} of ${formatBytes(total)}` : formatBytes(downloaded));
  }

  done(): void {
    if (this.#enabled && this.#last !== '') this.#stream.write('\n');
    this.#last = '';
  }
}

/** A stream that is never a terminal: no bar is drawn (--quiet). */
export const QUIET: BarStream = { isTTY: false, write: () => true };
