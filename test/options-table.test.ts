/**
 * The options table (src/options/table.ts) is the one source of the options' defaults and
 * limits: the documentation users read (src/types/options.ts, shown by their editors) must
 * say what the table does, and what reaches the addon must be the table's defaults.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { toNativeLoadOptions, toNativeParams } from '../src/options';
import { LOAD_OPTIONS, TRANSCRIBE_OPTIONS, type OptionSpec } from '../src/options/table';

/** Each property's JSDoc in an interface of src/types/options.ts, by name. */
function documented(interfaceName: string): Map<string, string> {
  const source = fs.readFileSync(path.join(__dirname, '../src/types/options.ts'), 'utf8');
  const start = source.indexOf(`export interface ${interfaceName} {`);
  expect(start).toBeGreaterThanOrEqual(0);
  const body = source.slice(start, source.indexOf('\n}\n', start));
  const docs = new Map<string, string>();
  for (const m of body.matchAll(/\/\*\*([\s\S]*?)\*\/\s*\n\s*(\w+)\?:/g)) docs.set(m[2]!, m[1]!.replace(/\s*\n\s*\*\s?/g, ' '));
  return docs;
}

/** How the docs write a default: `0`, `true`, `'en'`. */
function written(value: boolean | number | string): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

describe.each([
  ['TranscribeOptions', TRANSCRIBE_OPTIONS as Record<string, OptionSpec>],
  ['LoadModelOptions', LOAD_OPTIONS as Record<string, OptionSpec>],
])('%s: documentation against the table', (name, table) => {
  const docs = documented(name);

  test('every option in the table is documented', () => {
    for (const key of Object.keys(table)) expect([key, docs.has(key)]).toEqual([key, true]);
  });

  test('each documented default is the table\'s, and only options with one document one', () => {
    for (const [key, spec] of Object.entries(table)) {
      const doc = docs.get(key) ?? '';
      const said = [...doc.matchAll(/Default `([^`]+)`/g)].map((m) => m[1]);
      if (spec.default === undefined) expect([key, said]).toEqual([key, []]);
      else expect([key, said]).toEqual([key, [written(spec.default)]]);
    }
  });

  test('documented ranges are the table\'s limits', () => {
    for (const [key, spec] of Object.entries(table)) {
      const range = /\((-?[\d_]+) to (-?[\d_]+)\)|, (-?[\d_]+)\.\.(-?[\d_]+)/.exec(docs.get(key) ?? '');
      if (!range) continue;
      const [lo, hi] = (range[1] !== undefined ? [range[1], range[2]] : [range[3], range[4]]).map((v) => Number(v!.replace(/_/g, '')));
      expect([key, spec.min, spec.max]).toEqual([key, lo, hi]);
    }
  });
});

describe('what reaches the addon', () => {
  test('every option with a native field and a default is sent with its default', () => {
    const params = toNativeParams({}, 2) as unknown as Record<string, unknown>;
    for (const [key, entry] of Object.entries(TRANSCRIBE_OPTIONS)) {
      const spec: OptionSpec = entry;
      if (spec.native === null || spec.default === undefined) continue;
      expect([key, spec.native in params]).toEqual([key, true]);
      if (!spec.mapped) expect([key, params[spec.native]]).toEqual([key, spec.default]);
    }
    // Options without a default are not sent: whisper.cpp's "none" stays.
    for (const key of ['initialPrompt', 'suppressRegex', 'vadModel', 'vadMaxSpeechSeconds'] as const) {
      expect([key, TRANSCRIBE_OPTIONS[key].native in params]).toEqual([key, false]);
    }
  });

  test('load options take the table\'s defaults', () => {
    expect(toNativeLoadOptions({})).toEqual({
      useGpu: LOAD_OPTIONS.useGpu.default,
      gpuDevice: LOAD_OPTIONS.gpuDevice.default,
      flashAttention: LOAD_OPTIONS.flashAttention.default,
      bf16Weights: LOAD_OPTIONS.bf16Weights.default,
      maxConcurrency: LOAD_OPTIONS.maxConcurrency.default,
    });
  });
});
