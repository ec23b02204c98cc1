// Where a live transcript and the offline one of the same audio go wrong differently: the
// stretches of the reference where at least one of them errs, with what each one heard.
// A WER gap between live and offline is a sum over these stretches; printing the ones where
// live errs more says whether a gap is a policy failure (a sentence lost, a stretch
// committed from a bad decode) or the same kind of mistakes offline makes elsewhere.
// Shared by bench/live.js and test/live-real.test.ts.
'use strict';

const { align, DELETION, INSERTION, MATCH, normalizeWords } = require('../scripts/wer.js');

/**
 * For each reference word: the hypothesis words aligned to it (an insertion counts with the
 * word after it; '-' stands for a deleted word) and whether it was heard right.
 */
function alignedToReference(ref, hypothesisText) {
  const hyp = normalizeWords(hypothesisText);
  const out = ref.map(() => ({ ok: false, heard: [] }));
  let i = 0;
  let j = 0;
  let inserted = [];
  for (const step of align(ref, hyp)) {
    if (step === INSERTION) {
      inserted.push(`+${hyp[j++]}`);
      continue;
    }
    const slot = out[i++];
    slot.heard.push(...inserted, step === DELETION ? '-' : hyp[j++]);
    slot.ok = step === MATCH && inserted.length === 0;
    inserted = [];
  }
  if (inserted.length > 0 && out.length > 0) {
    out[out.length - 1].heard.push(...inserted);
    out[out.length - 1].ok = false;
  }
  return out;
}

/**
 * The stretches of `reference` where `live` or `offline` errs, each as
 * { at: index of its first reference word, reference, live, offline, liveErrors, offlineErrors }
 * (texts as normalized words; errors counted per reference word).
 */
function errorStretches(reference, live, offline) {
  const ref = normalizeWords(reference);
  const l = alignedToReference(ref, live);
  const o = alignedToReference(ref, offline);
  const stretches = [];
  for (let k = 0; k < ref.length; ) {
    if (l[k].ok && o[k].ok) {
      k++;
      continue;
    }
    let end = k;
    while (end < ref.length && !(l[end].ok && o[end].ok)) end++;
    const words = (side) => side.slice(k, end).flatMap((slot) => slot.heard).join(' ');
    const errors = (side) => side.slice(k, end).filter((slot) => !slot.ok).length;
    stretches.push({ at: k, reference: ref.slice(k, end).join(' '), live: words(l), offline: words(o), liveErrors: errors(l), offlineErrors: errors(o) });
    k = end;
  }
  return stretches;
}

/**
 * Lines for a log: the `limit` stretches where live errs most beyond offline, with the time
 * of each in the audio when `words` (reference words with their end, s) is given.
 */
function describeLiveLosses(reference, live, offline, { words, limit = 8 } = {}) {
  const worse = errorStretches(reference, live, offline)
    .filter((s) => s.liveErrors > s.offlineErrors)
    .sort((a, b) => b.liveErrors - b.offlineErrors - (a.liveErrors - a.offlineErrors))
    .slice(0, limit);
  return worse.map((s) => {
    const at = words?.[s.at] ? `${words[s.at].end.toFixed(1)} s` : `word ${s.at}`;
    return `  at ${at} (+${s.liveErrors - s.offlineErrors}): reference "${s.reference}" | live "${s.live}" | offline "${s.offline}"`;
  });
}

module.exports = { errorStretches, describeLiveLosses };
