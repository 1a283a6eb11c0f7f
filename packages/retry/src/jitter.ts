/**
 * Spreads delays so clients that failed together do not retry together (AWS "Exponential
 * Backoff and Jitter"):
 * - `full`: uniform in [0, d), the least total work under contention and gRPC A6's choice;
 * - `equal`: uniform in [d/2, d), never shorter than half the delay;
 * - `decorrelated`: min(maxDelay, uniform in [base, 3 × previous delay)), which replaces the
 *   strategy's curve (it grows by itself, with no fixed schedule to synchronise on);
 * - `none`: exactly d.
 */
export type Jitter = 'full' | 'equal' | 'decorrelated' | 'none';

export const JITTERS: readonly Jitter[] = ['full', 'equal', 'decorrelated', 'none'];

/** Applies `full`, `equal` or `none` jitter to a delay in ms. Whole ms. */
export function applyJitter(delay: number, jitter: Jitter, random: () => number): number {
  if (jitter === 'none' || delay === 0) return delay;
  const spread = jitter === 'equal' ? delay / 2 + (random() * delay) / 2 : random() * delay;
  return Math.floor(spread);
}

/**
 * The next decorrelated delay, AWS's `min(cap, random(base, 3 × previous))`: drawn first, then
 * capped, so a long run of failures settles at `maxDelay` instead of creeping just below it.
 * `previous` is the last delay waited, or `base` before the first retry. Whole ms.
 */
export function decorrelatedDelay(base: number, previous: number, maxDelay: number, random: () => number): number {
  const drawn = base + random() * (Math.max(previous, base) * 3 - base);
  return Math.min(maxDelay, Math.floor(drawn));
}
