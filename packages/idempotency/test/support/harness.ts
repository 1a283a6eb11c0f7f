import type { Clock } from '@breakwater/core';
import { memoryStore, type IdempotencyStore } from '@breakwater/idempotency';
import { redisStore } from '@breakwater/idempotency/redis';
import { manualClock, settle } from 'breakwater-test-utils';
import type { Cluster, Redis } from 'ioredis';

/** What the conformance suite needs from a store under test. */
export interface StoreHarness {
  readonly store: IdempotencyStore;
  /** A manual clock for idempotency(): renewals and waits fire only when time passes. */
  readonly clock: Clock;
  /**
   * Moves time forward for both the store (leases and TTLs) and the clock, in slices (50 ms
   * unless told), letting renewals fired on the way reach the store before its time moves on.
   * Redis keeps its real time too, so a test leaves a margin of a second or more for it.
   */
  passTime(ms: number, sliceMs?: number): Promise<void>;
  /** Resolves once no store call is in flight (bounded). */
  flush(): Promise<void>;
}

/**
 * Counts the store calls in flight, so a test can wait for a renewal fired by a timer to land,
 * instead of guessing with sleeps.
 */
function tracked(store: IdempotencyStore): { store: IdempotencyStore; flush(): Promise<void> } {
  let pending = 0;
  const wrap =
    <A extends unknown[], R>(method: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      pending++;
      try {
        return await method(...args);
      } finally {
        pending--;
      }
    };
  const wrapped: IdempotencyStore = {
    claim: wrap(store.claim.bind(store)),
    renew: wrap(store.renew.bind(store)),
    saveStep: wrap(store.saveStep.bind(store)),
    complete: wrap(store.complete.bind(store)),
    release: wrap(store.release.bind(store)),
    get: wrap(store.get.bind(store)),
  };
  return {
    store: wrapped,
    async flush() {
      // Each lap lets promise reactions and socket reads run; bounded by real time, not laps,
      // since a loaded machine may take a while to answer (this is an upper bound, not a wait).
      const deadline = performance.now() + 10_000;
      while (performance.now() < deadline) {
        await settle();
        if (pending === 0) {
          await settle();
          if (pending === 0) return;
        }
      }
      throw new Error(`flush(): ${pending} store calls still in flight after 10 s`);
    },
  };
}

const SLICE_MS = 50;

export function memoryHarness(options: { maxRecords?: number } = {}): StoreHarness {
  const time = manualClock();
  const { store, flush } = tracked(memoryStore({ clock: time.clock, ...options }));
  return {
    store,
    clock: time.clock,
    flush,
    async passTime(ms, sliceMs = SLICE_MS) {
      for (let left = ms; left > 0; left -= sliceMs) {
        time.advance(Math.min(sliceMs, left));
        await flush();
      }
    },
  };
}

let prefixes = 0;

/**
 * A Redis store with its own key prefix. Redis keeps real time, so passing time shortens
 * every TTL under the prefix by the same amount (deleting the keys it runs out): the lease and
 * record expiry the store relies on, moved forward without waiting.
 */
export function redisHarness(client: Redis | Cluster, options: { commandTimeoutMs?: number } = {}): StoreHarness & { readonly prefix: string } {
  const prefix = `t${process.pid}-${++prefixes}:`;
  const time = manualClock();
  const { store, flush } = tracked(redisStore(client, { prefix, commandTimeoutMs: options.commandTimeoutMs ?? 2_000 }));
  return {
    prefix,
    store,
    clock: time.clock,
    flush,
    async passTime(ms, sliceMs = SLICE_MS) {
      for (let left = ms; left > 0; left -= sliceMs) {
        const slice = Math.min(sliceMs, left);
        time.advance(slice);
        await flush();
        await shrinkTtls(client, prefix, slice);
      }
    },
  };
}

const SHRINK = `
local left = redis.call('PTTL', KEYS[1])
if left > tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], left - tonumber(ARGV[1])) elseif left >= 0 then redis.call('DEL', KEYS[1]) end
return left`;

/** Every key under `prefix` (on every master of a Cluster). */
export async function keysUnder(client: Redis | Cluster, prefix: string): Promise<string[]> {
  const nodes = 'nodes' in client && typeof client.nodes === 'function' && client.isCluster ? client.nodes('master') : [client as Redis];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    // Bounded: SCAN ends when the cursor comes back to 0; a few hundred laps at most here.
    for (let lap = 0; lap < 10_000; lap++) {
      const [next, batch] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
      if (cursor === '0') break;
    }
  }
  return keys;
}

async function shrinkTtls(client: Redis | Cluster, prefix: string, ms: number): Promise<void> {
  const keys = await keysUnder(client, prefix);
  await Promise.all(keys.map((key) => client.eval(SHRINK, 1, key, ms)));
}
