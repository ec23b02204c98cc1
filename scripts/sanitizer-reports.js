#!/usr/bin/env node
// Reads the sanitizer logs of a `npm run test:sanitized` run (one file per process) and
// prints what they hold: AddressSanitizer errors, UndefinedBehaviorSanitizer reports, and
// LeakSanitizer leaks split into ours (allocated in binding/ or whisper.cpp) and others'
// (node itself, sox, compilers). Exit code 1 when there is an error, a UB report or a leak
// of ours.
//   node scripts/sanitizer-reports.js .cache/sanitize
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2];
const OURS = /\/binding\/|whisper_napi\.node|\/deps\/whisper\.cpp\//;

const errors = [];
const undefinedBehaviour = new Map();
const leaks = { ours: [], others: 0, othersBytes: 0, deferreds: 0 };
// The 8-byte handle of a job's promise, when the job's JS environment (a worker thread)
// ended before the job did: settling a promise needs JS, which can no longer run, and
// Node-API has no call that frees an unsettled deferred (napi_resolve/reject_deferred
// return early in a stopping environment). Counted, not failed: nothing in our code can
// free it, and it happens once per job cut off by worker.terminate().
const UNSETTLED_DEFERRED = /#1 [^\n]* in napi_create_promise [^\n]*\n[^\n]*Napi::Promise::Deferred/;

for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
  const text = fs.readFileSync(path.join(dir, name), 'utf8');
  for (const match of text.matchAll(/^(\S+:\d+:\d+): runtime error: (.*)$/gm)) {
    const key = `${match[1]}: ${match[2]}`;
    undefinedBehaviour.set(key, (undefinedBehaviour.get(key) ?? 0) + 1);
  }
  for (const match of text.matchAll(/ERROR: AddressSanitizer: [\s\S]*?(?=\n==\d+==ABORTING|$)/g)) errors.push(`${name}:\n${match[0].split('\n').slice(0, 30).join('\n')}`);
  for (const block of text.split(/\n(?=(?:Direct|Indirect) leak of)/)) {
    const head = /^(Direct|Indirect) leak of (\d+) byte/.exec(block);
    if (!head) continue;
    const frames = block.split('\n\n')[0];
    if (UNSETTLED_DEFERRED.test(frames)) leaks.deferreds++;
    else if (OURS.test(frames)) leaks.ours.push(`${name}: ${frames.split('\n').slice(0, 14).join('\n')}`);
    else {
      leaks.others++;
      leaks.othersBytes += Number(head[2]);
    }
  }
}

console.log(`\nsanitizers: ${errors.length} AddressSanitizer error(s), ${undefinedBehaviour.size} distinct undefined-behaviour report(s), ${leaks.ours.length} leak(s) in our code or whisper.cpp; ${leaks.others} leak report(s) of node and other tools (${leaks.othersBytes} bytes) and ${leaks.deferreds} unsettled promise handle(s) of jobs whose worker thread was terminated (8 bytes each, see UNSETTLED_DEFERRED) not counted`);
for (const e of errors) console.log(`\n${e}`);
for (const [key, count] of undefinedBehaviour) console.log(`\nUB (${count}x): ${key}`);
for (const leak of leaks.ours) console.log(`\n${leak}`);
process.exitCode = errors.length + undefinedBehaviour.size + leaks.ours.length > 0 ? 1 : 0;
