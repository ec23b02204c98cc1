/**
 * No import cycles in src/, type-only imports included: public types live in src/types/,
 * which imports nothing that imports it back. (What `npx madge --circular` checks, without
 * a dependency: TypeScript's own pre-processor lists each file's imports.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const SRC = path.join(__dirname, '../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(file);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [file] : [];
  });
}

/** The src/ files a file imports: `import`, `import type`, `export ... from`, `import()`, `require()`. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => {
      const base = path.resolve(path.dirname(file), name);
      const candidates = [`${base}.ts`, path.join(base, 'index.ts')];
      const found = candidates.find((c) => fs.existsSync(c));
      // Data (package.json) and compiled output cannot import back.
      if (!found && !base.startsWith(SRC)) return undefined;
      if (!found) throw new Error(`${path.relative(SRC, file)} imports ${name}, which is not a source file`);
      return found;
    })
    .filter((f): f is string => f !== undefined);
}

/** Every cycle's files, found by Tarjan's strongly connected components. */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(path.relative(SRC, w));
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

test('src/ has no import cycle, type-only imports included', () => {
  const files = sourceFiles(SRC);
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  expect(files.length).toBeGreaterThan(50);
  expect(cycles(graph)).toEqual([]);
});

test('public types import nothing outside src/types/ that could import them back', () => {
  // src/types/ may import leaves (the addon's surface, audio types, long-form plans); each of
  // those must not reach back into src/types/ through anything but other leaves.
  const typesDir = path.join(SRC, 'types');
  for (const file of sourceFiles(typesDir)) {
    for (const imported of importsOf(file)) {
      if (imported.startsWith(typesDir)) continue;
      const reach = new Set<string>();
      const walk = (f: string): void => {
        for (const next of importsOf(f)) if (!reach.has(next)) (reach.add(next), walk(next));
      };
      walk(imported);
      expect([path.relative(SRC, imported), [...reach].filter((f) => f.startsWith(typesDir)).length]).toEqual([path.relative(SRC, imported), 0]);
    }
  }
});
