// A small seeded PRNG (mulberry32), so every fuzz case is reproducible from (seed, index).
'use strict';
const { mulberry32 } = require('../scripts/generate-model.js');

/** The generator for case `index` of a run seeded with `seed`. */
function caseRandom(seed, index) {
  const next = mulberry32((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  const rng = {
    next,
    /** An integer in [min, max). */
    int: (min, max) => min + Math.floor(next() * (max - min)),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
  return rng;
}

module.exports = { caseRandom };
