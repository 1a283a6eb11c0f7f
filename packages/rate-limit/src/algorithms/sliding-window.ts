import { EPSILON, type Algorithm } from './algorithm.ts';

/**
 * Sliding window, counter-weighted (Cloudflare's approximation): the previous window's count,
 * weighted by how much of it still overlaps the sliding window, plus the current window's count.
 * Smooths the edge burst of fixed windows with three numbers per limit (window start, previous,
 * current); it assumes the previous window's requests were spread evenly.
 */
export const slidingWindow: Algorithm = {
  name: 'sliding-window',
  slots: 3,
  step(state, next, at, now, quota, windowMs, cost, out) {
    const start = Math.floor(now / windowMs) * windowMs;
    const storedStart = state[at]!;
    let previous = 0;
    let current = 0;
    if (storedStart === start) {
      previous = state[at + 1]!;
      current = state[at + 2]!;
    } else if (storedStart === start - windowMs) {
      previous = state[at + 2]!;
    }
    const elapsed = now - start;
    const weight = (windowMs - elapsed) / windowMs;
    const used = previous * weight + current;
    const untilEnd = Math.max(1, Math.ceil(start + windowMs - now - EPSILON));
    // This window's count weighs on until the end of the next window, the previous one's until
    // the end of this one: resetMs is when the limit is full again, never before retryAfterMs.
    const untilNextEnd = Math.ceil(start + 2 * windowMs - now - EPSILON);
    out.allowed = used + cost <= quota + EPSILON;
    out.retryAfterMs = out.allowed ? 0 : waitFor(previous, current, used, elapsed, quota, windowMs, cost);
    // Once counted, this window holds `cost` more, which the wait must include.
    out.retryAfterCounted = waitFor(previous, current + cost, used + cost, elapsed, quota, windowMs, cost);
    out.remainingBefore = Math.max(0, Math.floor(quota - used + EPSILON));
    out.remainingAfter = Math.max(0, Math.floor(quota - used - cost + EPSILON));
    out.resetBefore = current > 0 ? untilNextEnd : previous > 0 ? untilEnd : 0;
    out.resetAfter = current + cost > 0 ? untilNextEnd : previous > 0 ? untilEnd : 0;
    next[at] = start;
    next[at + 1] = previous;
    next[at + 2] = current + cost;
  },
};

/** Ms until `cost` fits over these counts, `elapsed` ms into the current window (0 when it fits now). */
function waitFor(previous: number, current: number, used: number, elapsed: number, quota: number, windowMs: number, cost: number): number {
  if (used + cost <= quota + EPSILON) return 0;
  if (current + cost <= quota + EPSILON) {
    // Fits later in this window, once enough of the previous window has slid out.
    const neededElapsed = windowMs * (1 - (quota - cost - current) / previous);
    return Math.max(1, Math.ceil(neededElapsed - elapsed - EPSILON));
  }
  // Only in the next window, where this window's count becomes the weighted one.
  const neededElapsed = current > 0 ? windowMs * (1 - (quota - cost) / current) : 0;
  return Math.max(1, Math.ceil(windowMs + neededElapsed - elapsed - EPSILON));
}
