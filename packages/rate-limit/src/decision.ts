import type { LimitDescription, LimitState, RateLimitDecision } from './types.ts';
import type { StoreReply } from './store.ts';

/** Turns a store's flat reply into the decision adapters read. */
export function toDecision(limits: readonly LimitDescription[], reply: StoreReply, source: RateLimitDecision['source']): RateLimitDecision {
  const allowed = reply[0] === 1;
  const count = limits.length;
  if (count === 1) {
    const limit = limits[0]!;
    const state: LimitState = { name: limit.name, quota: limit.quota, windowMs: limit.windowMs, remaining: reply[1]!, resetMs: reply[2]! };
    return { allowed, limit: limit.quota, remaining: state.remaining, resetMs: state.resetMs, retryAfterMs: reply[3]!, policy: limit.name, limits: [state], source };
  }
  const states = new Array<LimitState>(count);
  // Binding limit: when denied, the one to wait longest for; when admitted, the one with the
  // least remaining (the first of equals, so a single limit costs no comparison).
  let binding = 0;
  for (let i = 0; i < count; i++) {
    const limit = limits[i]!;
    const remaining = reply[1 + 3 * i]!;
    states[i] = { name: limit.name, quota: limit.quota, windowMs: limit.windowMs, remaining, resetMs: reply[2 + 3 * i]! };
    if (i === 0) continue;
    if (allowed ? remaining < reply[1 + 3 * binding]! : reply[3 + 3 * i]! > reply[3 + 3 * binding]!) binding = i;
  }
  const chosen = states[binding]!;
  return {
    allowed,
    limit: chosen.quota,
    remaining: chosen.remaining,
    resetMs: chosen.resetMs,
    retryAfterMs: allowed ? 0 : reply[3 + 3 * binding]!,
    policy: chosen.name,
    limits: states,
    source,
  };
}

/** The decision of a limiter that fails open: admitted, nothing counted, every limit shown full. */
export function openDecision(limits: readonly LimitDescription[]): RateLimitDecision {
  const states = limits.map((l) => ({ name: l.name, quota: l.quota, windowMs: l.windowMs, remaining: l.quota, resetMs: 0 }));
  const first = states[0]!;
  return { allowed: true, limit: first.quota, remaining: first.remaining, resetMs: 0, retryAfterMs: 0, policy: first.name, limits: states, source: 'fail-open' };
}
