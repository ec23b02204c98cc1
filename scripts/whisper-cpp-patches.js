// Our patches to the pinned whisper.cpp v1.9.1: unified diffs in scripts/patches/NN-<id>.patch,
// each opening with what it changes and why, applied in the order of their numbers.
//
// Applied all or nothing: every hunk of every patch is checked against the tree in memory
// first (exact context, at the exact line: these diffs are for one pinned version, and a
// hunk that lands elsewhere could compute something else), and files are written only when
// all fit. The tree then gets whisper-napi-patches.json, the sha256 of each patch and of
// each file they produced; CMakeLists.txt (cmake/whisper-napi-patches.cmake) refuses a tree
// whose files or patches differ from it, so a partly patched or stale tree cannot build.
//
//   node scripts/whisper-cpp-patches.js <whisper.cpp checkout>   # patch a WHISPER_CPP_DIR tree
//
// Moving to a newer whisper.cpp: docs/whisper-cpp-upgrade.md.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const PATCH_DIR = path.join(__dirname, 'patches');
/** Written into a patched tree: what was applied and what it produced. */
const STAMP = 'whisper-napi-patches.json';

class PatchError extends Error {}

const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');

/** The patches, in order: { id, name, text, sha256 }. */
function listPatches(dir = PATCH_DIR) {
  return fs
    .readdirSync(dir)
    .filter((name) => /^\d\d-[a-z0-9-]+\.patch$/.test(name))
    .sort()
    .map((name) => {
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      return { id: name.replace(/^\d\d-|\.patch$/g, ''), name, text, sha256: sha256(text) };
    });
}

/**
 * A unified diff's files and hunks. Text before the first `--- a/` line is the patch's
 * description. Paths are relative to the tree (the a/ and b/ prefixes dropped).
 */
function parsePatch(name, text) {
  if (text.includes('\r')) {
    // Not stripped: the stamp hashes the patch files as they are. .gitattributes keeps them LF.
    throw new PatchError(`patch ${name} has CRLF line endings (a checkout that converted them?): the patches must be LF, as .gitattributes keeps them`);
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const files = [];
  let i = lines.findIndex((l) => l.startsWith('--- a/'));
  if (i < 0) throw new PatchError(`patch ${name}: no "--- a/<file>" line: not a unified diff`);
  while (i < lines.length) {
    const from = /^--- a\/(\S+)$/.exec(lines[i]);
    const to = /^\+\+\+ b\/(\S+)$/.exec(lines[i + 1] ?? '');
    if (!from || !to || from[1] !== to[1]) throw new PatchError(`patch ${name}: line ${i + 1}: expected "--- a/<file>" then "+++ b/<same file>"`);
    const file = { path: from[1], hunks: [] };
    i += 2;
    while (i < lines.length && !lines[i].startsWith('--- a/')) {
      const head = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(lines[i]);
      if (!head) throw new PatchError(`patch ${name}: ${file.path}: line ${i + 1}: expected a hunk header "@@ -a,b +c,d @@"`);
      const hunk = { header: head[0], oldStart: Number(head[1]), oldCount: Number(head[2] ?? 1), newCount: Number(head[4] ?? 1), old: [], new: [] };
      i++;
      while (i < lines.length && (hunk.old.length < hunk.oldCount || hunk.new.length < hunk.newCount) && /^([ +\-\\]|$)/.test(lines[i])) {
        // An empty line is an empty context line whose leading space an editor trimmed.
        const line = lines[i++] || ' ';
        if (line.startsWith('\\')) continue; // "\ No newline at end of file": our trees end theirs
        if (line[0] !== '+') hunk.old.push(line.slice(1));
        if (line[0] !== '-') hunk.new.push(line.slice(1));
      }
      while (i < lines.length && lines[i].startsWith('\\')) i++;
      if (hunk.old.length !== hunk.oldCount || hunk.new.length !== hunk.newCount) {
        throw new PatchError(`patch ${name}: ${file.path}: hunk ${hunk.header} has ${hunk.old.length} old and ${hunk.new.length} new lines`);
      }
      file.hunks.push(hunk);
    }
    files.push(file);
  }
  return files;
}

/** `text` with the hunks of one file applied, or a PatchError naming the patch, file and line. */
function applyHunks(patchName, filePath, text, hunks) {
  const lines = text.split('\n');
  let shift = 0; // lines added minus removed by the hunks before
  for (const hunk of hunks) {
    // A hunk that removes nothing and has no context (@@ -0,0 ...) inserts at the start.
    const at = (hunk.oldCount === 0 ? hunk.oldStart : hunk.oldStart - 1) + shift;
    for (let k = 0; k < hunk.old.length; k++) {
      if (lines[at + k] !== hunk.old[k]) {
        const found = lines[at + k] === undefined ? 'the end of the file' : JSON.stringify(lines[at + k]);
        throw new PatchError(
          `patch ${patchName} does not apply to ${filePath}: hunk ${hunk.header} expects line ${at + k + 1} to read ` +
            `${JSON.stringify(hunk.old[k])}, found ${found}. Is this whisper.cpp v1.9.1, unpatched? (docs/whisper-cpp-upgrade.md)`,
        );
      }
    }
    lines.splice(at, hunk.old.length, ...hunk.new);
    shift += hunk.new.length - hunk.old.length;
  }
  return lines.join('\n');
}

/**
 * Every file the patches change, with its text after all of them: computed in memory,
 * nothing written. Throws PatchError at the first hunk that does not fit.
 */
function planPatches(root, patches = listPatches()) {
  const texts = new Map();
  for (const patch of patches) {
    for (const file of parsePatch(patch.name, patch.text)) {
      const full = path.join(root, file.path);
      if (!texts.has(file.path)) {
        if (!fs.existsSync(full)) throw new PatchError(`patch ${patch.name} does not apply: ${file.path} does not exist in ${root}`);
        texts.set(file.path, fs.readFileSync(full, 'utf8'));
      }
      texts.set(file.path, applyHunks(patch.name, file.path, texts.get(file.path), file.hunks));
    }
  }
  return texts;
}

/** Applies every patch to the tree at `root`, all or nothing, and stamps it. Returns the ids. */
function applyPatches(root, patches = listPatches()) {
  const texts = planPatches(root, patches);
  // Each file replaced by a rename: a crash mid-way leaves whole files, never a torn one
  // (and no stamp, so the configure-time check refuses the tree).
  fs.rmSync(path.join(root, STAMP), { force: true });
  for (const [file, text] of texts) {
    const full = path.join(root, file);
    fs.writeFileSync(`${full}.whisper-napi-tmp`, text);
    fs.renameSync(`${full}.whisper-napi-tmp`, full);
  }
  const stamp = {
    patches: patches.map((p) => ({ id: p.id, sha256: p.sha256 })),
    files: Object.fromEntries([...texts].sort(([a], [b]) => a.localeCompare(b)).map(([file, text]) => [file, sha256(text)])),
  };
  fs.writeFileSync(path.join(root, STAMP), JSON.stringify(stamp, null, 2) + '\n');
  return patches.map((p) => p.id);
}

/**
 * What keeps the tree at `root` from being the patched tree (the same checks as
 * cmake/whisper-napi-patches.cmake): an empty list when every patch is there as it is now.
 */
function patchProblems(root, patches = listPatches()) {
  const stampFile = path.join(root, STAMP);
  if (!fs.existsSync(stampFile)) return [`${root} has no ${STAMP}: it was never patched, or patching did not finish`];
  const stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
  const problems = [];
  const applied = stamp.patches.map((p) => `${p.id}@${p.sha256}`).join(' ');
  const current = patches.map((p) => `${p.id}@${p.sha256}`).join(' ');
  if (applied !== current) problems.push(`the tree was patched with other patches than scripts/patches/ holds now`);
  for (const [file, digest] of Object.entries(stamp.files)) {
    const full = path.join(root, file);
    if (!fs.existsSync(full) || sha256(fs.readFileSync(full)) !== digest) problems.push(`${file} is not what the patches produce`);
  }
  return problems;
}

module.exports = { PatchError, STAMP, applyPatches, listPatches, parsePatch, patchProblems, planPatches };

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node scripts/whisper-cpp-patches.js <whisper.cpp checkout>');
    process.exit(2);
  }
  if (patchProblems(dir).length === 0) {
    console.log(`${dir} is already patched`);
  } else {
    try {
      console.log(`patched ${dir}: ${applyPatches(dir).join(', ')}`);
    } catch (error) {
      if (!(error instanceof PatchError)) throw error;
      console.error(`whisper-napi: ${error.message}\nNothing was changed.`);
      process.exit(1);
    }
  }
}
