#!/usr/bin/env node
'use strict';
/*
 * Create the one Python virtual environment that the real-weights tests and benchmarks use
 * (faster-whisper 1.2.1 + CTranslate2 + numpy + safetensors, every wheel pinned by sha256 in
 * requirements.txt). Test support only: the npm package never needs Python.
 *
 *   node scripts/real-weights/setup-python.js [--venv DIR] [--quiet] [--force]
 *   const { setupPython } = require('./scripts/real-weights/setup-python');
 *   const python = (await setupPython({ venvDir })).python;   // <venv>/bin/python
 *
 * Steps: python3 -m venv DIR; DIR/bin/python -m pip install --require-hashes --no-deps
 * --only-binary :all: -r requirements.txt (pip's own version is left as the venv made it);
 * pip check; an import check. Idempotent: DIR/.requirements.sha256 holds the sha256 of the
 * requirements.txt it was built from and is written last, so an interrupted or outdated venv
 * is rebuilt from scratch on the next call.
 */
const childProcess = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const DEFAULT_VENV = path.join(REPO_ROOT, '.cache', 'real-weights', 'venv');
const REQUIREMENTS = path.join(__dirname, 'requirements.txt');
const STAMP = '.requirements.sha256';

class SetupError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'SetupError';
    this.code = code;
  }
}

function venvPython(venvDir) {
  return process.platform === 'win32' ? path.join(venvDir, 'Scripts', 'python.exe') : path.join(venvDir, 'bin', 'python');
}

function dirBytes(dir) {
  let total = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) total += fs.statSync(p).size;
    }
  }
  return total;
}

function run(cmd, args, { quiet } = {}) {
  return new Promise((resolve, reject) => {
    const child = childProcess.spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (chunk) => {
      out += chunk.toString();
      if (out.length > 200000) out = out.slice(-100000);
      if (!quiet) process.stderr.write(chunk);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output: out }));
  });
}

function tail(output, n = 8) {
  return output.trim().split('\n').slice(-n).join('\n    ');
}

function checkBasePython(python) {
  const r = childProcess.spawnSync(python, ['-c',
    'import sys, platform; print("%d.%d.%d %s %s" % (sys.version_info[:3] + (platform.system(), platform.machine())))'],
  { encoding: 'utf8' });
  if (r.error && r.error.code === 'ENOENT') {
    throw new SetupError(`${python} was not found on PATH (need CPython 3.11 with the venv module)`, 'PYTHON_MISSING');
  }
  if (r.status !== 0) throw new SetupError(`${python} does not run: ${(r.stderr || '').trim()}`, 'PYTHON_MISSING');
  const [version, system, machine] = r.stdout.trim().split(' ');
  if (!version.startsWith('3.11.') || system !== 'Linux' || !/^(x86_64|AMD64)$/.test(machine)) {
    throw new SetupError(`${python} is Python ${version} on ${system} ${machine}; requirements.txt pins ` +
      'wheels for CPython 3.11 on Linux x86_64 (set PYTHON=/path/to/python3.11)', 'PYTHON_UNSUPPORTED');
  }
  return version;
}

function stampOk(venvDir, want) {
  try {
    return fs.readFileSync(path.join(venvDir, STAMP), 'utf8').trim() === want &&
      childProcess.spawnSync(venvPython(venvDir), ['-c', 'import faster_whisper'], { stdio: 'ignore' }).status === 0;
  } catch {
    return false;
  }
}

/**
 * Resolves to { python, venvDir, action: 'cached' | 'created', seconds, bytes, versions }.
 */
async function setupPython({ venvDir = DEFAULT_VENV, python = process.env.PYTHON || 'python3', quiet = false,
  force = false, requirements = REQUIREMENTS } = {}) {
  const t0 = Date.now();
  const log = quiet ? () => {} : (msg) => console.error(`[setup-python] ${msg}`);
  venvDir = path.resolve(venvDir);
  const reqHash = crypto.createHash('sha256').update(fs.readFileSync(requirements)).digest('hex');
  const py = venvPython(venvDir);
  if (!force && stampOk(venvDir, reqHash)) {
    log(`${venvDir} is up to date (requirements.txt sha256 ${reqHash.slice(0, 12)}…)`);
    return { python: py, venvDir, action: 'cached', seconds: (Date.now() - t0) / 1000 };
  }
  const baseVersion = checkBasePython(python);
  if (fs.existsSync(venvDir)) {
    log(`removing outdated or incomplete ${venvDir}`);
    fs.rmSync(venvDir, { recursive: true, force: true });
  }
  fs.mkdirSync(path.dirname(venvDir), { recursive: true });
  log(`python3 -m venv ${venvDir} (Python ${baseVersion})`);
  let r = await run(python, ['-m', 'venv', venvDir], { quiet });
  if (r.code !== 0) {
    throw new SetupError(`${python} -m venv failed (Debian: apt-get install python3-venv):\n    ${tail(r.output)}`, 'VENV_FAILED');
  }
  const tInstall = Date.now();
  const args = ['-m', 'pip', 'install', '--require-hashes', '--no-deps', '--only-binary', ':all:',
    '--disable-pip-version-check', '--progress-bar', 'off', '-r', requirements];
  log(`pip install ${args.slice(3).join(' ')}`);
  r = await run(py, args, { quiet });
  if (r.code !== 0) {
    let why = 'pip install failed';
    if (/DO NOT MATCH THE HASHES/i.test(r.output)) why = 'a wheel does not match the sha256 pinned in requirements.txt';
    else if (/(NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution|Max retries exceeded|Network is unreachable)/i.test(r.output)) {
      why = 'pip could not reach the package index (no network?)';
    }
    throw new SetupError(`${why}; the venv is left without its stamp and will be rebuilt next time.\n    ${tail(r.output)}`,
      'PIP_INSTALL_FAILED');
  }
  const installSeconds = (Date.now() - tInstall) / 1000;
  r = await run(py, ['-m', 'pip', 'check'], { quiet: true });
  if (r.code !== 0) throw new SetupError(`pip check found broken requirements:\n    ${tail(r.output)}`, 'PIP_CHECK_FAILED');
  r = await run(py, ['-c', 'import json, faster_whisper, ctranslate2, numpy, safetensors, tokenizers; ' +
    'print(json.dumps({"faster_whisper": faster_whisper.__version__, "ctranslate2": ctranslate2.__version__, ' +
    '"numpy": numpy.__version__, "safetensors": safetensors.__version__, "tokenizers": tokenizers.__version__}))'],
  { quiet: true });
  if (r.code !== 0) throw new SetupError(`the new venv cannot import faster_whisper:\n    ${tail(r.output)}`, 'IMPORT_FAILED');
  const versions = JSON.parse(r.output.trim().split('\n').pop());
  fs.writeFileSync(path.join(venvDir, STAMP), reqHash + '\n');
  const bytes = dirBytes(venvDir);
  const seconds = (Date.now() - t0) / 1000;
  log(`ready in ${seconds.toFixed(1)} s (pip install ${installSeconds.toFixed(1)} s), ${(bytes / 1e6).toFixed(0)} MB: ` +
    Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', '));
  return { python: py, venvDir, action: 'created', seconds, installSeconds, bytes, versions };
}

if (require.main === module) {
  const opts = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--venv') opts.venvDir = argv[++i];
    else if (a.startsWith('--venv=')) opts.venvDir = a.slice(7);
    else if (a === '--quiet' || a === '-q') opts.quiet = true;
    else if (a === '--force') opts.force = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/real-weights/setup-python.js [--venv DIR] [--quiet] [--force]\n' +
        `  default venv: ${DEFAULT_VENV}\n  prints the venv's python path on stdout`);
      process.exit(0);
    } else {
      console.error(`setup-python: unknown argument ${a} (try --help)`);
      process.exit(2);
    }
  }
  setupPython(opts).then((r) => console.log(r.python), (err) => {
    console.error(`setup-python: ${err.code ? `[${err.code}] ` : ''}${err.message}`);
    process.exit(1);
  });
}

module.exports = { setupPython, venvPython, SetupError, DEFAULT_VENV, REQUIREMENTS };
