/**
 * A small seeded pseudo-random generator (sfc32 seeded through splitmix32), so that a client
 * run with `--seed` draws the same inter-event times every time, in every worker.
 *
 * @module
 */

/** Returns numbers uniformly distributed in [0, 1). */
export type Rng = () => number;

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A generator fully determined by `seed` (any 32-bit integer). */
export function createRng(seed: number): Rng {
  const next = splitmix32(seed);
  let a = next(), b = next(), c = next(), d = next();
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

/** A per-worker seed, so a run's workers draw different but reproducible sequences. */
export function workerSeed(seed: number, worker: number): number {
  return (seed ^ Math.imul(worker, 0x9e3779b1)) >>> 0;
}

/** A fresh random 32-bit seed, for runs without `--seed` (printed so they can be repeated). */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}
