import { assertFunction, assertInteger, assertKnownOptions, withDefaults } from '@breakwater/core';
import { LRUCache } from 'lru-cache';
import type { CircuitBreakerPolicy } from './circuit-breaker.ts';

export interface BreakerRegistryOptions<P extends object = CircuitBreakerPolicy> {
  /** Builds the breaker (or any policy) for a key the registry has not seen, or has evicted. */
  readonly create: (key: string) => P;
  /**
   * The most keys held; past it the least recently used entry is evicted, and its state with it.
   * Bounds memory when keys come from outside (hosts, tenants). Range 1–100000.
   * @default 1000
   */
  readonly max?: number;
}

const DEFAULTS = { max: 1_000 } as const;
const KNOWN = ['create', 'max'] as const;

/** Breakers per key, bounded; see {@link breakerRegistry}. */
export class BreakerRegistry<P extends object = CircuitBreakerPolicy> {
  readonly max: number;
  readonly #create: (key: string) => P;
  readonly #entries: LRUCache<string, P>;
  // The last key asked for and its policy: a client calling one host asks for the same key every
  // time, and it is already the most recently used, so the LRU's bookkeeping can be skipped.
  #lastKey: string | undefined;
  #last: P | undefined;

  constructor(options: BreakerRegistryOptions<P>) {
    const config = withDefaults('breakerRegistry()', DEFAULTS, options);
    assertKnownOptions('breakerRegistry()', config, KNOWN);
    assertFunction('create', config.create);
    // lru-cache allocates its index arrays for `max` entries up front, hence the ceiling.
    assertInteger('max', config.max, { min: 1, max: 100_000 });
    this.max = config.max;
    this.#create = config.create;
    this.#entries = new LRUCache<string, P>({ max: config.max });
  }

  /** Number of keys held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The policy for `key`, created on first use; marks it most recently used. */
  get(key: string): P {
    if (typeof key !== 'string') throw new TypeError(`Expected the key of breakerRegistry().get() to be a string, got \`${String(key)}\` (${typeof key})`);
    if (key === this.#lastKey) return this.#last!;
    let policy = this.#entries.get(key);
    if (policy === undefined) {
      policy = this.#create(key);
      this.#entries.set(key, policy);
    }
    this.#lastKey = key;
    this.#last = policy;
    return policy;
  }

  /** True when `key` is held; does not change its recency. */
  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** Forgets `key` (its breaker state included). True when it was held. */
  delete(key: string): boolean {
    if (key === this.#lastKey) this.#lastKey = this.#last = undefined;
    return this.#entries.delete(key);
  }

  /** Every key and policy held, most recently used first. */
  *entries(): IterableIterator<[string, P]> {
    for (const [key, policy] of this.#entries.entries()) yield [key, policy];
  }
}

/**
 * Keeps one breaker per key, e.g. per upstream host, so one failing host does not trip calls to
 * the others. Bounded with an LRU (lru-cache): evicting a key forgets its breaker, so a host that
 * comes back after eviction starts closed, with an empty window.
 *
 * @example
 * const breakers = breakerRegistry({ create: () => circuitBreaker({ name: 'upstream', strategy: consecutive({ threshold: 5 }) }) });
 * const res = await breakers.get(new URL(url).host).execute(({ signal }) => fetch(url, { signal }));
 */
export function breakerRegistry<P extends object = CircuitBreakerPolicy>(options: BreakerRegistryOptions<P>): BreakerRegistry<P> {
  return new BreakerRegistry(options);
}
