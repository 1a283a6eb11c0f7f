import { systemClock, type Clock } from '@breakwater/core';
import type { Cluster, Redis } from 'ioredis';
import type { RedisCluster, RedisServer } from 'breakwater-test-utils';

// Captured at import: these bounded polls must not depend on fake timers.
const realSetTimeout = globalThis.setTimeout;

/**
 * The system clock with a movable `now()`: real timers (so command timeouts really fire against a
 * real Redis) but the breaker's open duration passes when the test says so, not by sleeping.
 */
export function shiftedClock(): { clock: Clock; advance(ms: number): void } {
  let offset = 0;
  return {
    clock: { ...systemClock, now: () => systemClock.now() + offset },
    advance(ms) {
      offset += ms;
    },
  };
}

/** Polls `check` every few ms until it returns true; fails after `timeoutMs`. A bound, never a fixed wait. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) throw new Error(`waitFor: ${what} did not happen within ${timeoutMs}ms`);
    await new Promise((resolve) => realSetTimeout(resolve, 5));
  }
}

/** How long `promise` took to settle, in ms, and how it settled. */
export async function timed<T>(promise: Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const started = performance.now();
  try {
    const value = await promise;
    return { ms: performance.now() - started, value };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

/** A Redis deployment a conformance suite runs against: a single server or a 3-master Cluster. */
export interface RedisTarget {
  readonly name: 'redis' | 'cluster';
  client(options?: { keyPrefix?: string }): Promise<Redis | Cluster>;
  /** Every key on every node. */
  keys(): Promise<string[]>;
  /** Runs one command on the node that owns `key`. */
  command(key: string, name: string, ...args: (string | number)[]): Promise<unknown>;
  flush(): Promise<void>;
  /** SCRIPT FLUSH on every node. */
  flushScriptsEverywhere(): Promise<void>;
  stop(): Promise<void>;
}

export function singleTarget(server: RedisServer): RedisTarget {
  return {
    name: 'redis',
    client: (options) => server.client(options),
    keys: async () => (await server.command('KEYS', '*')) as string[],
    command: (key, name, ...args) => server.command(name, key, ...args),
    flush: () => server.flushAll(),
    flushScriptsEverywhere: () => server.flushScripts(),
    stop: () => server.stop(),
  };
}

export function clusterTarget(cluster: RedisCluster): RedisTarget {
  let admin: Cluster | undefined;
  const adminClient = async (): Promise<Cluster> => (admin ??= await cluster.client());
  return {
    name: 'cluster',
    client: (options) => cluster.client(options),
    keys: async () => (await Promise.all(cluster.nodes.map(async (node) => (await node.command('KEYS', '*')) as string[]))).flat(),
    command: async (key, name, ...args) => (await adminClient()).call(name, key, ...args),
    flush: async () => void (await Promise.all(cluster.nodes.map((node) => node.flushAll()))),
    flushScriptsEverywhere: async () => void (await Promise.all(cluster.nodes.map((node) => node.flushScripts()))),
    stop: () => cluster.stop(),
  };
}

/** Wraps a clock and counts its timers, so a test can prove none is left pending. */
export function countingClock(inner: Clock): { clock: Clock; readonly pending: number } {
  const live = new Set<unknown>();
  return {
    clock: {
      now: () => inner.now(),
      epochNow: () => inner.epochNow(),
      setTimeout: (callback, ms) => {
        const handle: unknown = inner.setTimeout(() => {
          live.delete(handle);
          callback();
        }, ms);
        live.add(handle);
        return handle;
      },
      clearTimeout: (handle) => {
        live.delete(handle);
        inner.clearTimeout(handle);
      },
    },
    get pending() {
      return live.size;
    },
  };
}
