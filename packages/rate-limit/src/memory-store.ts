import { LRUCache } from 'lru-cache';
import { assertInteger, assertKnownOptions, assertMethods, systemClock, withDefaults, type Clock } from '@breakwater/core';
import type { StepResult } from './algorithms/algorithm.ts';
import type { LimiterSpec, RateLimitStore, StoreReply } from './store.ts';

export interface MemoryStoreOptions {
  /**
   * Keys kept per limiter; the least recently used key is forgotten beyond it (and starts
   * afresh if it comes back), so a flood of distinct keys costs bounded memory: about
   * 100 bytes per key plus the key itself. Integer from 1.
   * @default 10_000
   */
  readonly maxKeys?: number;
  /** Time source; only `now()` (monotonic ms) is read. @default the limiter's clock, else systemClock */
  readonly clock?: Clock;
}

const KNOWN = ['maxKeys', 'clock'] as const;
/** Passed to every `get`: lru-cache allocates a fresh options object per call otherwise. */
const GET_OPTIONS: LRUCache.GetOptions<string, Float64Array, unknown> = {};

/** Per-limiter state: the LRU of keys and scratch space for one decision. */
interface Table {
  readonly keys: LRUCache<string, Float64Array>;
  readonly empty: Float64Array;
  readonly next: Float64Array;
  /** Seven numbers per limit: allowed, retryAfterMs, remaining before/after, reset before/after, retryAfterCounted. */
  readonly outcomes: Float64Array;
  /** The reply, reused: a synchronous reply is read before the next decision can start. */
  readonly reply: number[];
}

/**
 * A per-process store: one `Float64Array` per key in an LRU. Decisions are synchronous, so they
 * are atomic by construction, and never touch the event loop.
 */
export class MemoryStore implements RateLimitStore {
  readonly kind = 'memory';
  readonly maxKeys: number;
  /** Whether the clock was given explicitly (a limiter substitutes its own otherwise). */
  readonly hasOwnClock: boolean;
  #clock: Clock;
  readonly #tables = new WeakMap<LimiterSpec, Table>();
  // One store usually serves one limiter: remembering the last table skips the WeakMap lookup.
  #lastSpec: LimiterSpec | undefined;
  #lastTable: Table | undefined;
  readonly #out: StepResult = { allowed: false, retryAfterMs: 0, retryAfterCounted: 0, remainingBefore: 0, remainingAfter: 0, resetBefore: 0, resetAfter: 0 };

  constructor(options?: MemoryStoreOptions) {
    const config = withDefaults('memoryStore()', { maxKeys: 10_000 }, options) as MemoryStoreOptions & { maxKeys: number };
    assertKnownOptions('memoryStore()', config, KNOWN);
    assertInteger('maxKeys', config.maxKeys, { min: 1 });
    if (config.clock !== undefined) assertMethods('clock', config.clock, ['now']);
    this.maxKeys = config.maxKeys;
    this.hasOwnClock = config.clock !== undefined;
    this.#clock = config.clock ?? systemClock;
  }

  /** @internal Lets a limiter share its clock with a store built without one. */
  useClock(clock: Clock): void {
    if (!this.hasOwnClock) this.#clock = clock;
  }

  decide(spec: LimiterSpec, key: string, cost: number): StoreReply {
    const table = spec === this.#lastSpec ? this.#lastTable! : this.#tableFor(spec);
    const now = this.#clock.now();
    const existing = table.keys.get(key, GET_OPTIONS);
    const state = existing ?? table.empty;
    const { algorithm, limits } = spec;
    const { slots } = algorithm;
    const out = this.#out;
    const count = limits.length;
    const reply = table.reply;

    if (count === 1) {
      // The common case, without the per-limit bookkeeping below.
      const limit = limits[0]!;
      algorithm.step(state, table.next, 0, now, limit.quota, limit.windowMs, cost, out);
      const counted = out.allowed || spec.consumeWhenDenied;
      if (counted) {
        if (existing === undefined) table.keys.set(key, table.next.slice());
        // An element loop, not `set()`: for one to three numbers the builtin call costs more
        // than the copy.
        else for (let s = 0; s < slots; s++) existing[s] = table.next[s]!;
      }
      reply[0] = out.allowed ? 1 : 0;
      reply[1] = !out.allowed ? 0 : out.remainingAfter;
      reply[2] = counted ? out.resetAfter : out.resetBefore;
      // A denial counted (consumeWhenDenied) is waited out from the state that includes it.
      reply[3] = out.allowed ? 0 : counted ? out.retryAfterCounted : out.retryAfterMs;
      return reply;
    }
    const outcomes = table.outcomes;
    let allowed = true;
    for (let i = 0; i < count; i++) {
      const limit = limits[i]!;
      algorithm.step(state, table.next, i * slots, now, limit.quota, limit.windowMs, cost, out);
      if (!out.allowed) allowed = false;
      // Both outcomes are kept: which one applies is known only after the last limit.
      const o = i * 7;
      outcomes[o] = out.allowed ? 1 : 0;
      outcomes[o + 1] = out.retryAfterMs;
      outcomes[o + 2] = out.remainingBefore;
      outcomes[o + 3] = out.remainingAfter;
      outcomes[o + 4] = out.resetBefore;
      outcomes[o + 5] = out.resetAfter;
      outcomes[o + 6] = out.retryAfterCounted;
    }
    const counted = allowed || spec.consumeWhenDenied;
    if (counted) {
      if (existing === undefined) table.keys.set(key, Float64Array.from(table.next));
      else existing.set(table.next);
    }
    reply[0] = allowed ? 1 : 0;
    for (let i = 0; i < count; i++) {
      const o = i * 7;
      reply[1 + 3 * i] = outcomes[o] === 0 ? 0 : counted ? outcomes[o + 3]! : outcomes[o + 2]!;
      reply[2 + 3 * i] = counted ? outcomes[o + 5]! : outcomes[o + 4]!;
      // A denial counted (consumeWhenDenied) is waited out from the state that includes it, in
      // every limit: one that admitted may be the one left without room for the same cost.
      reply[3 + 3 * i] = allowed ? 0 : counted ? outcomes[o + 6]! : outcomes[o + 1]!;
    }
    return reply;
  }

  #tableFor(spec: LimiterSpec): Table {
    const table = this.#tables.get(spec) ?? this.#createTable(spec);
    this.#lastSpec = spec;
    this.#lastTable = table;
    return table;
  }

  #createTable(spec: LimiterSpec): Table {
    const length = spec.algorithm.slots * spec.limits.length;
    const table: Table = {
      keys: new LRUCache<string, Float64Array>({ max: this.maxKeys }),
      empty: new Float64Array(length).fill(Number.NaN),
      next: new Float64Array(length),
      outcomes: new Float64Array(7 * spec.limits.length),
      reply: new Array<number>(1 + 3 * spec.limits.length).fill(0),
    };
    this.#tables.set(spec, table);
    return table;
  }
}

/** A bounded per-process store (the default). See {@link MemoryStoreOptions}. */
export function memoryStore(options?: MemoryStoreOptions): MemoryStore {
  return new MemoryStore(options);
}
