import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCache, isWriteBehindFullError, isCacheClosedError, type WriteBehindEntry, type WriteFailedEvent } from '@breakwater/cache';
import { deferred, manualClock, pendingTimers, useFakeTime } from 'breakwater-test-utils';

/** Runs fake time forward until `promise` settles; bounded so a hang fails instead of spinning. */
async function driveUntil<T>(promise: Promise<T>, stepMs = 50, maxSteps = 20_000): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  for (let i = 0; i < maxSteps && !settled; i++) await vi.advanceTimersByTimeAsync(stepMs);
  if (!settled) throw new Error(`still pending after ${maxSteps} steps of ${stepMs}ms`);
  return tracked;
}

function recordingSink<V>() {
  const batches: WriteBehindEntry<V>[][] = [];
  const perKey = new Map<string, V[]>();
  const writeMany = vi.fn(async (entries: readonly WriteBehindEntry<V>[]) => {
    batches.push([...entries]);
    for (const { key, value } of entries) {
      const list = perKey.get(key) ?? [];
      list.push(value);
      perKey.set(key, list);
    }
  });
  return { batches, perKey, writeMany };
}

describe('write-behind (fake time)', () => {
  beforeEach(() => useFakeTime(0));
  afterEach(() => {
    vi.useRealTimers();
  });

  it('50,000 writes through a failing-then-recovering sink: all persisted, per-key order kept, close() drains', async () => {
    const sink = recordingSink<number>();
    let failures = 0;
    const writeMany = vi.fn(async (entries: readonly WriteBehindEntry<number>[]) => {
      // Down for the first 2 s of fake time, then up.
      if (Date.now() < 2_000) {
        failures++;
        throw new Error('database unavailable');
      }
      await sink.writeMany(entries);
    });
    const cache = createCache<number>({
      writeBehind: { writeMany, maxQueue: 2_000, batchSize: 250, concurrency: 2, flushInterval: 20, maxWait: 60_000, maxRetries: 20, retryDelay: 50, maxRetryDelay: 400 },
    });
    const failed: WriteFailedEvent<number>[] = [];
    cache.onWriteFailed((e) => failed.push(e));
    const retried = vi.fn();
    cache.onWriteRetried(retried);

    const KEYS = 5_000;
    const WRITES = 50_000;
    const last = new Map<string, number>();
    let maxPending = 0;
    const produce = (async () => {
      for (let i = 0; i < WRITES; i++) {
        const key = `k${(i * 7919) % KEYS}`;
        await cache.set(key, i);
        last.set(key, i);
        maxPending = Math.max(maxPending, cache.pendingWrites);
      }
    })();
    await driveUntil(produce);
    await driveUntil(cache.close());

    expect(failures).toBeGreaterThan(0);
    expect(failed.length).toBe(failures);
    expect(failed.every((e) => !e.final)).toBe(true);
    expect(retried).toHaveBeenCalledTimes(failures);
    expect(maxPending).toBeLessThanOrEqual(2_000);
    expect(cache.pendingWrites).toBe(0);
    // Every key's last accepted value reached the sink, and each key's values arrived in order.
    expect(sink.perKey.size).toBe(KEYS);
    for (const [key, value] of last) {
      const seen = sink.perKey.get(key)!;
      expect(seen.at(-1), key).toBe(value);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!, key).toBeGreaterThan(seen[i - 1]!);
    }
    expect(sink.batches.every((batch) => batch.length <= 250 && new Set(batch.map((e) => e.key)).size === batch.length)).toBe(true);
    expect(pendingTimers()).toBe(0);
  });

  it('coalesces writes to a queued key: the sink gets the last one', async () => {
    const sink = recordingSink<string>();
    const cache = createCache<string>({ writeBehind: { writeMany: sink.writeMany, flushInterval: 100 } });
    await cache.set('a', 'v1');
    await cache.set('b', 'x');
    await cache.set('a', 'v2');
    await cache.set('a', 'v3');
    expect(cache.pendingWrites).toBe(2);
    await expect(cache.get('a')).resolves.toBe('v3');
    expect(sink.writeMany).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(100);
    expect(sink.batches).toEqual([
      [
        { key: 'a', value: 'v3' },
        { key: 'b', value: 'x' },
      ],
    ]);
    expect(cache.pendingWrites).toBe(0);
    expect(pendingTimers()).toBe(0);
    await cache.close();
  });

  it('a full batch leaves at once, without waiting for the flush interval', async () => {
    const sink = recordingSink<number>();
    const cache = createCache<number>({ writeBehind: { writeMany: sink.writeMany, batchSize: 3, flushInterval: 10_000 } });
    for (let i = 0; i < 7; i++) await cache.set(`k${i}`, i);
    await vi.advanceTimersByTimeAsync(0);
    expect(sink.batches.map((b) => b.length)).toEqual([3, 3]);
    await cache.flush();
    expect(sink.batches.map((b) => b.length)).toEqual([3, 3, 1]);
    await cache.close();
  });

  it('a write to a key whose batch is running waits for it: never two writes of a key at once', async () => {
    const gates: ReturnType<typeof deferred<void>>[] = [];
    const seen: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const cache = createCache<number>({
      writeBehind: {
        concurrency: 4,
        batchSize: 1,
        flushInterval: 0,
        write: async (key, value) => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          seen.push(`${key}=${value}`);
          const gate = deferred();
          gates.push(gate);
          await gate.promise;
          running--;
        },
      },
    });
    await cache.set('a', 1);
    await vi.advanceTimersByTimeAsync(0);
    await cache.set('a', 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['a=1']);
    gates.shift()!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['a=1', 'a=2']);
    gates.shift()!.resolve();
    await cache.close();
    expect(maxRunning).toBe(1);
  });

  it("whenFull 'reject': WriteBehindFullError at once, and neither tier nor sink gets the write", async () => {
    const gate = deferred();
    const cache = createCache<number>({ writeBehind: { writeMany: () => gate.promise, maxQueue: 2, batchSize: 1, whenFull: 'reject', flushInterval: 0 } });
    await cache.set('a', 1);
    await cache.set('b', 2);
    const error = await cache.set('c', 3).catch((e: unknown) => e);
    expect(isWriteBehindFullError(error)).toBe(true);
    expect(error).toMatchObject({ pending: 2, maxQueue: 2, code: 'ERR_BREAKWATER_WRITE_BEHIND_FULL' });
    await expect(cache.get('c')).resolves.toBeUndefined();
    // A queued key takes no room: coalescing still works when full.
    await expect(cache.set('b', 22)).resolves.toBeUndefined();
    gate.resolve();
    await cache.close();
  });

  it("whenFull 'wait': waits for room, FIFO, and rejects after maxWait", async () => {
    let release!: () => void;
    const writeMany = vi.fn(() => new Promise<void>((resolve) => (release = resolve)));
    const cache = createCache<number>({ writeBehind: { writeMany, maxQueue: 1, batchSize: 1, flushInterval: 0, maxWait: 1_000 } });
    await cache.set('a', 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(writeMany).toHaveBeenCalledTimes(1);
    const order: string[] = [];
    const b = cache.set('b', 2).then(() => order.push('b'));
    const c = cache.set('c', 3).then(() => order.push('c'));
    await vi.advanceTimersByTimeAsync(10);
    expect(order).toEqual([]);
    release(); // 'a' persisted: room for one
    await vi.advanceTimersByTimeAsync(0);
    await b;
    expect(order).toEqual(['b']);
    // 'b' is now running and 'c' still waits; the sink hangs, so c times out.
    const cResult = c.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(isWriteBehindFullError(await cResult)).toBe(true);
    await expect(cache.get('c')).resolves.toBeUndefined();
    release();
    await cache.close();
    expect(pendingTimers()).toBe(0);
  });

  it("whenFull 'wait': a woken waiter whose write coalesces hands its room on to the next waiter at once", async () => {
    const gate = deferred();
    const batches: WriteBehindEntry<number>[][] = [];
    const writeMany = vi.fn(async (entries: readonly WriteBehindEntry<number>[]) => {
      batches.push([...entries]);
      if (batches.length === 1) await gate.promise;
    });
    const cache = createCache<number>({ writeBehind: { writeMany, maxQueue: 2, batchSize: 100, flushInterval: 60_000, maxWait: 1_000 } });
    await cache.set('a', 1);
    await cache.set('b', 2);
    // Full: [a, b] leaves at once and hangs in the sink; three writers wait, two of them for `c`.
    const order: string[] = [];
    const c1 = cache.set('c', 3).then(() => order.push('c=3'));
    const c2 = cache.set('c', 4).then(() => order.push('c=4'));
    const d = cache.set('d', 5).then(() => order.push('d=5'));
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toEqual([[{ key: 'a', value: 1 }, { key: 'b', value: 2 }]]);
    expect(order).toEqual([]);
    // [a, b] persisted: room for two, handed to the first two waiters. The second one's write
    // replaces the first's queued `c`, so one slot is free again and `d` gets it, without waiting
    // for another batch to finish or for maxWait to run out.
    gate.resolve();
    await vi.advanceTimersByTimeAsync(0);
    await Promise.all([c1, c2, d]);
    expect(order).toEqual(['c=3', 'c=4', 'd=5']);
    expect(Date.now()).toBe(0); // no fake time passed: nobody sat out a timer
    expect(cache.pendingWrites).toBe(2);
    await cache.close();
    expect(batches[1]).toEqual([{ key: 'c', value: 4 }, { key: 'd', value: 5 }]);
    expect(pendingTimers()).toBe(0);
  });

  it('a full queue sends its partial batch at once instead of waiting for flushInterval', async () => {
    const sink = recordingSink<number>();
    const cache = createCache<number>({ writeBehind: { writeMany: sink.writeMany, maxQueue: 2, batchSize: 100, flushInterval: 60_000 } });
    await cache.set('a', 1);
    await cache.set('b', 2);
    const third = cache.set('c', 3);
    await vi.advanceTimersByTimeAsync(0);
    await third;
    expect(sink.batches).toEqual([
      [
        { key: 'a', value: 1 },
        { key: 'b', value: 2 },
      ],
    ]);
    await cache.close();
  });

  it("a caller's signal ends the wait for room", async () => {
    const gate = deferred();
    const cache = createCache<number>({ writeBehind: { writeMany: () => gate.promise, maxQueue: 1, batchSize: 1, flushInterval: 0 } });
    await cache.set('a', 1);
    const controller = new AbortController();
    const waiting = cache.set('b', 2, { signal: controller.signal });
    controller.abort(new Error('client gone'));
    await expect(waiting).rejects.toThrow('client gone');
    gate.resolve();
    await cache.close();
    expect(pendingTimers()).toBe(0);
  });

  it('gives up after maxRetries loudly: final event with the entries, key evicted from the cache', async () => {
    const cache = createCache<number>({
      writeBehind: { writeMany: async () => Promise.reject(new Error('permanent')), maxRetries: 2, retryDelay: 100, flushInterval: 0 },
    });
    const failed: WriteFailedEvent<number>[] = [];
    cache.onWriteFailed((e) => failed.push(e));
    await cache.set('a', 1);
    await expect(cache.get('a')).resolves.toBe(1);
    await driveUntil(cache.flush(), 100);
    expect(failed.map((e) => [e.attempt, e.final])).toEqual([
      [0, false],
      [1, false],
      [2, true],
    ]);
    expect(failed.at(-1)?.entries).toEqual([{ key: 'a', value: 1 }]);
    await expect(cache.get('a')).resolves.toBeUndefined();
    await cache.close();
  });

  it('a retry picks up a newer write to the same key (last write wins)', async () => {
    let calls = 0;
    const seen: WriteBehindEntry<number>[][] = [];
    const cache = createCache<number>({
      writeBehind: {
        flushInterval: 0,
        retryDelay: 100,
        writeMany: async (entries) => {
          seen.push([...entries]);
          if (calls++ === 0) throw new Error('once');
        },
      },
    });
    await cache.set('a', 1);
    await vi.advanceTimersByTimeAsync(0);
    await cache.set('a', 2);
    await driveUntil(cache.close(), 100);
    expect(seen).toEqual([[{ key: 'a', value: 1 }], [{ key: 'a', value: 2 }]]);
  });

  it('a ttl function that throws rejects the set and queues nothing', async () => {
    const sink = recordingSink<number>();
    const cache = createCache<number>({
      ttl: (value) => {
        if (value < 0) throw new Error('bad ttl');
        return 1_000;
      },
      writeBehind: { writeMany: sink.writeMany, maxQueue: 1, flushInterval: 10 },
    });
    await expect(cache.set('a', -1)).rejects.toThrow('bad ttl');
    expect(cache.pendingWrites).toBe(0);
    await cache.set('b', 1);
    await cache.close();
    expect([...sink.perKey]).toEqual([['b', [1]]]);
  });

  it('with write() only, a batch is written key by key in order', async () => {
    const seen: string[] = [];
    const cache = createCache<number>({ writeBehind: { write: async (key, value) => void seen.push(`${key}=${value}`), flushInterval: 10 } });
    await cache.set('x', 1);
    await cache.set('y', 2);
    await cache.close();
    expect(seen).toEqual(['x=1', 'y=2']);
  });

  it('close() rejects writers still waiting for room (never accepted) and drains the accepted ones', async () => {
    const sink = recordingSink<number>();
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const cache = createCache<number>({
      writeBehind: {
        maxQueue: 1,
        batchSize: 1,
        flushInterval: 0,
        writeMany: async (entries) => {
          await opened;
          await sink.writeMany(entries);
        },
      },
    });
    await cache.set('a', 1);
    const waiting = cache.set('b', 2);
    const closing = cache.close();
    await expect(waiting).rejects.toSatisfy(isCacheClosedError);
    open();
    await closing;
    expect([...sink.perKey]).toEqual([['a', [1]]]);
    expect(pendingTimers()).toBe(0);
  });
});

describe('write-behind (manual clock)', () => {
  it('a partial batch leaves after flushInterval on the injected clock', async () => {
    const { clock, advance } = manualClock();
    const sink = recordingSink<number>();
    const cache = createCache<number>({ clock, writeBehind: { writeMany: sink.writeMany, flushInterval: 500 } });
    await cache.set('a', 1);
    advance(499);
    await Promise.resolve();
    expect(sink.writeMany).not.toHaveBeenCalled();
    advance(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.batches).toEqual([[{ key: 'a', value: 1 }]]);
    await cache.close();
  });
});
