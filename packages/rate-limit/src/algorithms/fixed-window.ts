import { EPSILON, type Algorithm } from './algorithm.ts';

/**
 * Fixed window: a counter per window of `windowMs`, aligned to multiples of `windowMs` on the
 * store's clock (epoch time in Redis). Cheapest and easiest to explain, but a client can spend
 * two quotas within a moment across a window edge. Two numbers per limit (window start, count).
 */
export const fixedWindow: Algorithm = {
  name: 'fixed-window',
  slots: 2,
  step(state, next, at, now, quota, windowMs, cost, out) {
    const start = Math.floor(now / windowMs) * windowMs;
    const count = state[at] === start ? state[at + 1]! : 0;
    const after = count + cost;
    const untilEnd = Math.max(1, Math.ceil(start + windowMs - now - EPSILON));
    out.allowed = after <= quota + EPSILON;
    out.retryAfterMs = out.allowed ? 0 : untilEnd;
    // Counting this request changes nothing the next window sees: it starts from zero.
    out.retryAfterCounted = after + cost <= quota + EPSILON ? 0 : untilEnd;
    out.remainingBefore = Math.max(0, Math.floor(quota - count + EPSILON));
    out.remainingAfter = Math.max(0, Math.floor(quota - after + EPSILON));
    out.resetBefore = untilEnd;
    out.resetAfter = untilEnd;
    next[at] = start;
    next[at + 1] = after;
  },
};
