import type { CircuitSnapshot } from './state.ts';

/**
 * Where a breaker keeps its state snapshot: the seam for sharing breaker state between
 * instances (a Redis store will come as `@breakwater/circuit-breaker/redis`).
 *
 * The breaker reads the store once, when it is built, and writes a fresh snapshot after every
 * state transition; it never touches the store on the call path, so a store costs nothing per
 * call. Both methods are synchronous on purpose: a breaker never waits on a store. A shared
 * store answers `load()` from its own local copy and writes in the background, and when its
 * backend is down it keeps going quietly (the breaker runs on its local state, reliability
 * CB-5). A store that throws anyway does not break the call: the breaker keeps its local state
 * and rethrows the error on `process.nextTick`, as it does for a throwing listener.
 */
export interface CircuitStore {
  /** The snapshot to start from, or undefined to start closed. */
  load(): CircuitSnapshot | undefined;
  /** Called after every transition with the breaker's new snapshot. */
  save(snapshot: CircuitSnapshot): void;
}

/** The default store: holds the latest snapshot in memory. */
export class MemoryCircuitStore implements CircuitStore {
  #snapshot: CircuitSnapshot | undefined;

  constructor(initial?: CircuitSnapshot) {
    this.#snapshot = initial;
  }

  /** The latest snapshot saved, if any. */
  get snapshot(): CircuitSnapshot | undefined {
    return this.#snapshot;
  }

  load(): CircuitSnapshot | undefined {
    return this.#snapshot;
  }

  save(snapshot: CircuitSnapshot): void {
    this.#snapshot = snapshot;
  }
}

/**
 * An in-memory store. Passing the same store to a breaker built later (say, after a registry
 * evicted the first) lets the new breaker resume where the old one's last transition left it.
 *
 * @example
 * const store = memoryCircuitStore();
 * const breaker = circuitBreaker({ store });
 */
export function memoryCircuitStore(initial?: CircuitSnapshot): MemoryCircuitStore {
  return new MemoryCircuitStore(initial);
}
