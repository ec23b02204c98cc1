/** The built package works from CommonJS and from ES modules, with one shared instance. */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

import { MODELS, ROOT, modelPath } from './support/paths';

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
}

test('require() (CommonJS) by package name', () => {
  const out = node(['-e', `const w = require('whisper-napi'); console.log(typeof w.loadModel, typeof w.transcribe, w.systemInfo().whisperCpp)`]);
  expect(out.trim()).toBe('function function 1.9.1');
});

test('import (ES module) by package name, and it is the same instance as require()', () => {
  const script = `
    import * as w from 'whisper-napi';
    import { createRequire } from 'node:module';
    const cjs = createRequire(import.meta.url)('whisper-napi');
    const model = await w.loadModel(${JSON.stringify(modelPath(MODELS.micro))});
    console.log(model.info.type, w.loadModel === cjs.loadModel, model instanceof cjs.WhisperModel);
    await model.dispose();
  `;
  expect(node(['--input-type=module', '-e', script]).trim()).toBe('custom true true');
});

test('the type declarations exist for both entry points', () => {
  const pkg = require(path.join(ROOT, 'package.json')) as { exports: Record<string, Record<string, { types: string }>> };
  for (const entry of [pkg.exports['.']!.import!.types, pkg.exports['.']!.require!.types]) {
    expect(() => require.resolve(path.join(ROOT, entry))).not.toThrow();
  }
});
