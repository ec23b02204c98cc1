/**
 * Our whisper.cpp patches (scripts/patches/*.patch) apply all or nothing, and CMake refuses a
 * tree that is not exactly the patched tree (cmake/whisper-napi-patches.cmake). Each test
 * works on a copy of the files the patches touch, taken from the pristine v1.9.1 tree.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { plainToolEnv } from './support/sanitized';

const ROOT = path.join(__dirname, '..');
const PRISTINE = path.join(ROOT, 'node_modules', 'nodejs-whisper', 'cpp', 'whisper.cpp');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const patches = require('../scripts/whisper-cpp-patches.js') as {
  PatchError: new (message: string) => Error;
  STAMP: string;
  applyPatches(root: string): string[];
  listPatches(): { id: string; name: string; text: string }[];
  parsePatch(name: string, text: string): { path: string }[];
  patchProblems(root: string): string[];
};

const touched = [...new Set(patches.listPatches().flatMap((p) => patches.parsePatch(p.name, p.text).map((f) => f.path)))];

/** A fresh copy of the pristine files the patches touch. */
function pristineCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-patches-'));
  for (const file of touched) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(PRISTINE, file), path.join(dir, file));
  }
  return dir;
}

const digest = (dir: string) => touched.map((f) => crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex'));

/** CMake's configure-time check on its own: its exit code and message. */
function cmakeCheck(tree: string): { status: number | null; output: string } {
  const r = spawnSync('cmake', [`-DTREE=${tree}`, `-DPATCH_DIR=${path.join(ROOT, 'scripts', 'patches')}`, '-P', path.join(ROOT, 'cmake', 'whisper-napi-patches.cmake')], { encoding: 'utf8', env: plainToolEnv() });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.replace(/\s+/g, ' ') };
}

test('every patch is a unified diff with a description, named NN-<id>.patch, each marking the code it adds', () => {
  const list = patches.listPatches();
  expect(list.length).toBeGreaterThanOrEqual(9);
  for (const p of list) {
    expect(p.text.startsWith(`whisper-napi patch ${p.id}\n`)).toBe(true);
    expect(p.text).toMatch(/^--- a\/\S+\n\+\+\+ b\/\S+\n@@ /m);
    // Found in the patched source by whoever reads it, and by a rebase (docs/whisper-cpp-upgrade.md).
    const added = p.text.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++'));
    expect([p.id, added.some((l) => l.includes(`whisper-napi patch ${p.id}`))]).toEqual([p.id, true]);
  }
  // The tree CMake builds from is what the patches give.
  expect(patches.patchProblems(path.join(ROOT, 'deps', 'whisper.cpp'))).toEqual([]);
});

test('applied to the pristine tree, they all apply and the result passes CMake\'s check', () => {
  const dir = pristineCopy();
  try {
    expect(cmakeCheck(dir).output).toContain("lacks whisper-napi's patches");
    expect(patches.applyPatches(dir)).toEqual(patches.listPatches().map((p) => p.id));
    expect(patches.patchProblems(dir)).toEqual([]);
    const check = cmakeCheck(dir);
    expect(check.output).toContain(`${patches.listPatches().length} patches verified`);
    expect(check.status).toBe(0);
    // Byte for byte the files of deps/whisper.cpp, which the addon is built from.
    for (const file of touched) expect([file, fs.readFileSync(path.join(dir, file)).equals(fs.readFileSync(path.join(ROOT, 'deps', 'whisper.cpp', file)))]).toEqual([file, true]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a tree one patch does not fit is left untouched, with a message naming the patch, the file and the line', () => {
  const dir = pristineCopy();
  try {
    // A context line the last patch relies on, changed: every earlier patch would fit (a
    // line that no earlier patch mentions, found once in the file).
    const all = patches.listPatches();
    const last = all.at(-1)!;
    const file = patches.parsePatch(last.name, last.text)[0]!.path;
    const full = path.join(dir, file);
    const text = fs.readFileSync(full, 'utf8');
    const contextLines = last.text.slice(last.text.indexOf('\n@@ ') + 1).split('\n').filter((l) => l.startsWith(' ')).map((l) => l.slice(1));
    const hunkContext = contextLines.find((l) => l.trim().length > 8 && text.split(l).length === 2 && all.slice(0, -1).every((p) => !p.text.includes(l)))!;
    expect(hunkContext).toBeDefined();
    expect(text.split(hunkContext).length).toBeGreaterThan(1);
    fs.writeFileSync(full, text.replace(hunkContext, `${hunkContext} // changed upstream`));
    const before = digest(dir);

    let error: Error | undefined;
    try {
      patches.applyPatches(dir);
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(patches.PatchError);
    expect(error!.message).toContain(`patch ${last.name} does not apply to ${file}`);
    expect(error!.message).toMatch(/expects line \d+ to read/);
    expect(digest(dir)).toEqual(before); // nothing written, not even the patches that fit
    expect(fs.existsSync(path.join(dir, patches.STAMP))).toBe(false);

    // The same through the command line: exit 1, the reason, nothing changed.
    const cli = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'whisper-cpp-patches.js'), dir], { encoding: 'utf8' });
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain(`patch ${last.name} does not apply to ${file}`);
    expect(cli.stderr).toContain('Nothing was changed.');
    expect(digest(dir)).toEqual(before);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('CMake refuses a partly patched tree, an edited patched file and a tree patched with other patches', () => {
  const dir = pristineCopy();
  try {
    patches.applyPatches(dir);
    const whisperCpp = path.join(dir, 'src', 'whisper.cpp');
    const patched = fs.readFileSync(whisperCpp, 'utf8');

    // One patch's change undone (as a tree patched before that patch existed would be).
    fs.writeFileSync(whisperCpp, patched.replace('// whisper-napi patch independent-windows', '//'));
    let check = cmakeCheck(dir);
    expect(check.status).not.toBe(0);
    expect(check.output).toContain("src/whisper.cpp is not what whisper-napi's patches produce");
    expect(patches.patchProblems(dir)).toEqual(['src/whisper.cpp is not what the patches produce']);
    fs.writeFileSync(whisperCpp, patched);
    expect(cmakeCheck(dir).status).toBe(0);

    // A stamp from another set of patches (one patch edited since the tree was patched).
    const stampFile = path.join(dir, patches.STAMP);
    const stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8')) as { patches: { id: string; sha256: string }[] };
    stamp.patches[0]!.sha256 = '0'.repeat(64);
    fs.writeFileSync(stampFile, JSON.stringify(stamp));
    check = cmakeCheck(dir);
    expect(check.status).not.toBe(0);
    expect(check.output).toContain(`was not patched with ${patches.listPatches()[0]!.name} as it is now`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a patch with CRLF line endings (a checkout that converted it) is refused, not misread', () => {
  const p = patches.listPatches()[0]!;
  expect(() => patches.parsePatch(p.name, p.text.replace(/\n/g, '\r\n'))).toThrow(/CRLF line endings/);
  expect(fs.readFileSync(path.join(ROOT, '.gitattributes'), 'utf8')).toMatch(/^scripts\/patches\/\*\.patch text eol=lf$/m);
});

test('the diffs are standard: GNU patch applies them to the same result', () => {
  const dir = pristineCopy();
  try {
    for (const p of patches.listPatches()) execFileSync('patch', ['-p1', '-s', '-i', path.join(ROOT, 'scripts', 'patches', p.name)], { cwd: dir, env: plainToolEnv() });
    for (const file of touched) expect([file, fs.readFileSync(path.join(dir, file)).equals(fs.readFileSync(path.join(ROOT, 'deps', 'whisper.cpp', file)))]).toEqual([file, true]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
