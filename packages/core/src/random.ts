import { invalidOption } from './validate.ts';

/**
 * A deterministic source of numbers in [0, 1) for the `random` options, so a run can be
 * repeated: retry's jitter (`retry({ random: seededRandom(42) })`) or chaos injection
 * decisions. mulberry32: tiny and fast, not cryptographic.
 *
 * @example
 * const random = seededRandom(7);
 * random(); // the same sequence on every run
 */
export function seededRandom(seed: number): () => number {
  if (typeof seed !== 'number' || !Number.isInteger(seed)) {
    throw invalidOption(`Expected \`seed\` to be an integer, got \`${String(seed)}\` (${typeof seed})`);
  }
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
