import { EPSILON, type Algorithm } from './algorithm.ts';

/**
 * Token bucket: `quota` tokens, refilled continuously at `quota / windowMs` per ms. Two numbers
 * per limit (tokens, time of the last count). Admits the same requests as GCRA; pick it when you
 * think in tokens or need the stored token count.
 */
export const tokenBucket: Algorithm = {
  name: 'token-bucket',
  slots: 2,
  step(state, next, at, now, quota, windowMs, cost, out) {
    const rate = quota / windowMs;
    const storedTokens = state[at]!;
    let tokens = quota;
    if (!Number.isNaN(storedTokens)) {
      const elapsed = Math.max(0, now - state[at + 1]!);
      tokens = Math.min(quota, storedTokens + elapsed * rate);
    }
    const after = tokens - cost;
    out.allowed = after >= -EPSILON;
    out.retryAfterMs = out.allowed ? 0 : Math.ceil(-after / rate - EPSILON);
    // Once counted, the bucket holds `after` tokens (negative when a denial is counted) and the
    // same cost fits once `cost - after` tokens have flowed back in.
    out.retryAfterCounted = after - cost >= -EPSILON ? 0 : Math.ceil((cost - after) / rate - EPSILON);
    out.remainingBefore = Math.max(0, Math.floor(tokens + EPSILON));
    out.remainingAfter = Math.max(0, Math.floor(after + EPSILON));
    out.resetBefore = Math.max(0, Math.ceil((quota - tokens) / rate - EPSILON));
    out.resetAfter = Math.max(0, Math.ceil((quota - after) / rate - EPSILON));
    next[at] = after;
    next[at + 1] = now;
  },
};
