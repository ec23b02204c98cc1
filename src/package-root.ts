/** The installed package's root folder (where package.json, prebuilds/ and web/ are). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The nearest folder up from this file whose package.json is whisper-napi's. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === 'whisper-napi') return dir;
    } catch {
      // no package.json here
    }
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(__dirname, '..');
    dir = parent;
  }
}
