import { EPSILON, type Algorithm } from './algorithm.ts';

/**
 * Generic cell rate algorithm: one number per limit, the theoretical arrival time (TAT) of the
 * next unit. A request of `cost` fits when, after pushing TAT by `cost` emission intervals
 * (`windowMs / quota`), TAT is at most one window ahead of now. Smooth (no window edges) and
 * equivalent to a token bucket that stores a single timestamp.
 */
export const gcra: Algorithm = {
  name: 'gcra',
  slots: 1,
  step(state, next, at, now, quota, windowMs, cost, out) {
    const interval = windowMs / quota;
    const stored = state[at]!;
    const tat = Number.isNaN(stored) || stored < now ? now : stored;
    const newTat = tat + cost * interval;
    const ahead = newTat - now;
    out.allowed = ahead <= windowMs + EPSILON;
    out.retryAfterMs = out.allowed ? 0 : Math.ceil(ahead - windowMs - EPSILON);
    // Once counted, TAT is `newTat` and the same cost pushes it on to `newTat + cost × interval`.
    // Computed exactly as the next step will compute it (a sum at epoch magnitude, then `- now`),
    // so that waiting exactly this long admits despite rounding.
    const aheadCounted = newTat + cost * interval - now;
    out.retryAfterCounted = aheadCounted <= windowMs + EPSILON ? 0 : Math.ceil(aheadCounted - windowMs - EPSILON);
    out.remainingBefore = Math.max(0, Math.floor((windowMs - (tat - now)) / interval + EPSILON));
    out.remainingAfter = Math.max(0, Math.floor((windowMs - ahead) / interval + EPSILON));
    out.resetBefore = Math.max(0, Math.ceil(tat - now - EPSILON));
    out.resetAfter = Math.max(0, Math.ceil(ahead - EPSILON));
    next[at] = newTat;
  },
};
