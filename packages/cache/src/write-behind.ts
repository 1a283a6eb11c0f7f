import PQueue from 'p-queue';
import { abortableDelay, isAbortable, type Clock, type EventEmitter } from '@breakwater/core';
import { CacheClosedError } from './errors/cache-closed-error.ts';
import { WriteBehindFullError } from './errors/write-behind-full-error.ts';
import type { FlushEvent, WriteBehindEntry, WriteFailedEvent, WriteRetriedEvent } from './events.ts';
import type { ResolvedWriteBehind } from './write-options.ts';

/** The cache parts the queue reports to. */
export interface WriteBehindHooks<V> {
  readonly name: string;
  readonly clock: Clock;
  readonly onFlush: EventEmitter<FlushEvent>;
  readonly onWriteFailed: EventEmitter<WriteFailedEvent<V>>;
  readonly onWriteRetried: EventEmitter<WriteRetriedEvent>;
  /** A batch was given up: evict these keys, which have no newer write queued. */
  giveUp(keys: readonly string[]): void;
}

interface RoomWaiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly dispose: () => void;
}

interface Slot<V> {
  readonly key: string;
  value: V;
}

/**
 * The write-behind queue: writes wait in a map keyed by cache key (a newer write replaces a
 * queued one: last write wins), leave in batches of `batchSize` (at once when full, after
 * `flushInterval` otherwise), and run on a p-queue of `concurrency`. A key is never in two running
 * batches, and a retried batch picks up newer writes for its keys, so the source sees each key's
 * writes in order. Only batches that can start right now are handed to p-queue: everything else
 * stays in the map, where it can still be coalesced.
 */
export class WriteBehindQueue<V> {
  readonly #options: ResolvedWriteBehind<V>;
  readonly #hooks: WriteBehindHooks<V>;
  readonly #queue: PQueue;
  readonly #waiting = new Map<string, V>();
  readonly #inFlight = new Set<string>();
  #inFlightCount = 0;
  /**
   * Batches handed to p-queue and not finished. Counted here rather than read from p-queue,
   * whose own count drops a microtask after a task settles, too late for the reschedule below.
   */
  #running = 0;
  /** Room handed to woken waiters that have not enqueued yet. */
  #reserved = 0;
  readonly #roomWaiters: RoomWaiter[] = [];
  readonly #drainWaiters: (() => void)[] = [];
  #timer: unknown = undefined;
  /** Partial batches may leave now (the flush timer fired, or a flush/close asked). */
  #urgent = false;
  #closed = false;

  constructor(options: ResolvedWriteBehind<V>, hooks: WriteBehindHooks<V>) {
    this.#options = options;
    this.#hooks = hooks;
    this.#queue = new PQueue({ concurrency: options.concurrency });
  }

  /** Writes accepted and not yet persisted (queued, in a running batch, or being retried). */
  get pending(): number {
    return this.#waiting.size + this.#inFlightCount + this.#reserved;
  }

  /**
   * Asks for room for a write to `key`. Returns `undefined` when there is room now (the caller
   * must `enqueue` synchronously), or a promise that resolves once room is reserved for it (the
   * caller must then `enqueue(…, true)` or `release()`). Throws `WriteBehindFullError` at once
   * with `whenFull: 'reject'`.
   */
  admit(key: string, signal: AbortSignal | undefined): Promise<void> | undefined {
    if (this.#closed) throw new CacheClosedError(this.#hooks.name);
    // A queued key takes no more room, but only when nobody waits: waiters go first, in order.
    if (this.#roomWaiters.length === 0 && (this.#waiting.has(key) || this.pending < this.#options.maxQueue)) return undefined;
    const { whenFull, maxWait, maxQueue } = this.#options;
    if (whenFull === 'reject' || maxWait === 0) {
      throw new WriteBehindFullError({ cache: this.#hooks.name, pending: this.pending, maxQueue, waitedMs: 0 });
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    // Full: waiting for more writes to fill a batch is pointless now; send what is queued.
    this.#urgent = true;
    this.#schedule();
    return new Promise<void>((resolve, reject) => {
      const clock = this.#hooks.clock;
      const started = clock.now();
      const remove = (): void => {
        const index = this.#roomWaiters.indexOf(waiter);
        if (index !== -1) this.#roomWaiters.splice(index, 1);
      };
      const onAbort = (): void => {
        remove();
        waiter.dispose();
        reject(signal!.reason);
      };
      const timer = clock.setTimeout(() => {
        remove();
        if (isAbortable(signal)) signal.removeEventListener('abort', onAbort);
        reject(new WriteBehindFullError({ cache: this.#hooks.name, pending: this.pending, maxQueue, waitedMs: Math.round(clock.now() - started) }));
      }, maxWait);
      const waiter: RoomWaiter = {
        resolve,
        reject,
        dispose: () => {
          clock.clearTimeout(timer);
          if (isAbortable(signal)) signal.removeEventListener('abort', onAbort);
        },
      };
      if (isAbortable(signal)) signal.addEventListener('abort', onAbort, { once: true });
      this.#roomWaiters.push(waiter);
    });
  }

  /** Queues a write accepted by `admit` (`reserved` when it had to wait for room). */
  enqueue(key: string, value: V, reserved = false): void {
    const coalesced = this.#waiting.has(key);
    this.#waiting.set(key, value);
    if (reserved) {
      this.#reserved--;
      // The reserved room was not needed (the write replaced a queued one): hand it on.
      if (coalesced) this.#wake();
    }
    this.#schedule();
  }

  /** Gives back room reserved by a waiter that will not enqueue after all. */
  release(): void {
    this.#reserved--;
    this.#wake();
    this.#checkDrained();
  }

  /** True when a write for `key` is queued and not yet taken by a batch. */
  isQueued(key: string): boolean {
    return this.#waiting.has(key);
  }

  /**
   * Sends every queued write (partial batches included) and resolves once nothing is pending.
   * Writes accepted meanwhile are waited for too: under a steady stream, stop writing first.
   */
  flush(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#drainWaiters.push(resolve);
      this.#schedule();
    });
  }

  /**
   * Stops accepting (waiters for room are rejected with `CacheClosedError`: they were never
   * accepted), then drains everything accepted, retries included, and resolves. Leaves no timer.
   */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      const error = new CacheClosedError(this.#hooks.name);
      for (const waiter of this.#roomWaiters.splice(0)) {
        waiter.dispose();
        waiter.reject(error);
      }
    }
    await this.flush();
    await this.#queue.onIdle();
  }

  #schedule(): void {
    if (this.#waiting.size === 0) {
      this.#urgent = false;
      this.#clearTimer();
      this.#checkDrained();
      return;
    }
    const { batchSize, concurrency } = this.#options;
    const urgent = this.#urgent || this.#closed || this.#drainWaiters.length > 0;
    while (this.#waiting.size > 0 && this.#running < concurrency) {
      if (!urgent && this.#waiting.size < batchSize) break;
      const batch = this.#take(batchSize);
      if (batch.length === 0) break; // every queued key is in a running batch; its end reschedules
      this.#dispatch(batch);
    }
    if (this.#waiting.size === 0) {
      this.#urgent = false;
      this.#clearTimer();
    } else if (!urgent && this.#timer === undefined) {
      this.#timer = this.#hooks.clock.setTimeout(this.#onTimer, this.#options.flushInterval);
    }
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#urgent = true;
    this.#schedule();
  };

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#hooks.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #take(max: number): Slot<V>[] {
    const batch: Slot<V>[] = [];
    for (const [key, value] of this.#waiting) {
      if (this.#inFlight.has(key)) continue;
      batch.push({ key, value });
      if (batch.length === max) break;
    }
    for (const slot of batch) {
      this.#waiting.delete(slot.key);
      this.#inFlight.add(slot.key);
    }
    this.#inFlightCount += batch.length;
    return batch;
  }

  #dispatch(batch: Slot<V>[]): void {
    this.#running++;
    // #run never rejects; the catch only keeps a p-queue surprise from becoming unhandled.
    this.#queue.add(() => this.#run(batch)).catch(noop);
  }

  async #run(batch: Slot<V>[]): Promise<void> {
    const { clock } = this.#hooks;
    const { maxRetries, retryDelay, maxRetryDelay, writeMany } = this.#options;
    const started = clock.now();
    try {
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0) this.#absorbNewer(batch);
        const entries: WriteBehindEntry<V>[] = batch.map(({ key, value }) => ({ key, value }));
        try {
          await writeMany(entries);
          if (this.#hooks.onFlush.hasListeners) {
            this.#hooks.onFlush.emit({
              cache: this.#hooks.name,
              size: entries.length,
              attempts: attempt + 1,
              durationMs: clock.now() - started,
              pending: this.pending - entries.length,
            });
          }
          return;
        } catch (error) {
          const final = attempt >= maxRetries;
          this.#hooks.onWriteFailed.emit({ cache: this.#hooks.name, error, attempt, size: entries.length, final, ...(final ? { entries } : {}) });
          if (final) {
            this.#hooks.giveUp(entries.filter(({ key }) => !this.#waiting.has(key)).map(({ key }) => key));
            return;
          }
          const delayMs = Math.min(maxRetryDelay, retryDelay * 2 ** attempt);
          this.#hooks.onWriteRetried.emit({ cache: this.#hooks.name, attempt: attempt + 1, delayMs, size: entries.length });
          // No signal: a retry is only ever cut short by giving up, never by close(), which drains.
          await abortableDelay(delayMs, undefined, clock);
        }
      }
    } finally {
      for (const { key } of batch) this.#inFlight.delete(key);
      this.#inFlightCount -= batch.length;
      this.#running--;
      this.#wake();
      this.#schedule();
    }
  }

  /** Before a retry: a newer queued write for a key of the batch replaces the batch's (last write wins). */
  #absorbNewer(batch: Slot<V>[]): void {
    let freed = false;
    for (const slot of batch) {
      if (!this.#waiting.has(slot.key)) continue;
      slot.value = this.#waiting.get(slot.key) as V;
      this.#waiting.delete(slot.key);
      freed = true;
    }
    if (freed) this.#wake();
  }

  #wake(): void {
    while (this.#roomWaiters.length > 0 && this.pending < this.#options.maxQueue) {
      const waiter = this.#roomWaiters.shift()!;
      waiter.dispose();
      this.#reserved++;
      waiter.resolve();
    }
  }

  #checkDrained(): void {
    if (this.pending !== 0 || this.#drainWaiters.length === 0) return;
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }
}

function noop(): void {}
