import {
  timeout,
  type Clock,
  type TimeoutPolicy,
} from '@breakwater/core';

/** Timeout policies by duration, so per-request deadlines do not build a policy (and its timer) per call. */
export class TimeoutCache {
  readonly #byDuration = new Map<number, TimeoutPolicy>();
  readonly #clock: Clock;
  readonly #name: string;

  constructor(name: string, clock: Clock) {
    this.#name = name;
    this.#clock = clock;
  }

  get(duration: number, kind: 'timeout' | 'attempt-timeout'): TimeoutPolicy {
    const key = kind === 'timeout' ? duration : -duration;
    let policy = this.#byDuration.get(key);
    if (policy === undefined) {
      policy = timeout({ duration, name: `${this.#name}:${kind}`, clock: this.#clock });
      // Bounded: a caller computing a fresh deadline per request gets a fresh policy, not a leak.
      if (this.#byDuration.size < 32) this.#byDuration.set(key, policy);
    }
    return policy;
  }
}
