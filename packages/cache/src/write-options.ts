import { assertDuration, assertFunction, assertInteger, assertKnownOptions, assertOneOf, invalidOption, withDefaults, MAX_TIMER_MS } from '@breakwater/core';
import type { WriteBehindEntry } from './events.ts';

/**
 * Write-through: `cache.set()` writes the source of truth first and fills the tiers only once it
 * succeeded. A rejected write evicts the key everywhere (see the README: the source's state is
 * unknown after a failed write, so the cache must not keep vouching for the old value either).
 */
export interface WriteThroughOptions<V> {
  /** Writes one value to the source of truth. The signal is the `set()` caller's. Required. */
  write(key: string, value: V, context: { readonly signal: AbortSignal | undefined }): Promise<unknown> | unknown;
}

/**
 * Write-behind: `cache.set()` fills the tiers at once and queues the write for the source of
 * truth, which gets it later, in batches, coalesced per key (last write wins), retried with
 * backoff. Delivery is at least once: a retried batch may repeat writes that had landed.
 */
export interface WriteBehindOptions<V> {
  /** Writes one value; used when `writeMany` is not given (a batch then calls it key by key, in order). */
  readonly write?: (key: string, value: V) => Promise<unknown> | unknown;
  /** Writes a batch in one call (a multi-row upsert). Give `write`, `writeMany` or both. */
  readonly writeMany?: (entries: readonly WriteBehindEntry<V>[]) => Promise<unknown> | unknown;
  /**
   * Writes accepted and not yet persisted, at most (distinct keys: a second write to a queued key
   * replaces it and takes no room). Integer ≥ 1.
   * @default 10_000
   */
  readonly maxQueue?: number;
  /** Writes per sink call. Integer ≥ 1. @default 100 */
  readonly batchSize?: number;
  /** Sink calls running at once. Integer ≥ 1; a key is never in two running batches. @default 1 */
  readonly concurrency?: number;
  /**
   * How long a partial batch may wait for more writes before it is sent, in ms. A full batch goes
   * at once. This is also what a hard crash can lose in normal operation (see the README).
   * @default 100
   */
  readonly flushInterval?: number;
  /** When the queue is full: `'wait'` for room (up to `maxWait`), or `'reject'` at once. @default 'wait' */
  readonly whenFull?: 'wait' | 'reject';
  /** With `whenFull: 'wait'`, the longest a `set()` waits for room before `WriteBehindFullError`, in ms. @default 5_000 */
  readonly maxWait?: number;
  /** Retries of a failed batch after the first try; integer ≥ 0 or `Infinity`. @default 10 */
  readonly maxRetries?: number;
  /** First retry delay in ms; each next one doubles. @default 100 */
  readonly retryDelay?: number;
  /** Cap of the retry delay, in ms. @default 10_000 */
  readonly maxRetryDelay?: number;
}

export interface ResolvedWriteBehind<V> {
  readonly writeMany: (entries: readonly WriteBehindEntry<V>[]) => Promise<unknown> | unknown;
  readonly maxQueue: number;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly flushInterval: number;
  readonly whenFull: 'wait' | 'reject';
  readonly maxWait: number;
  readonly maxRetries: number;
  readonly retryDelay: number;
  readonly maxRetryDelay: number;
}

const DEFAULTS = {
  maxQueue: 10_000,
  batchSize: 100,
  concurrency: 1,
  flushInterval: 100,
  whenFull: 'wait',
  maxWait: 5_000,
  maxRetries: 10,
  retryDelay: 100,
  maxRetryDelay: 10_000,
} as const;
const KNOWN = ['write', 'writeMany', ...Object.keys(DEFAULTS)];

export function resolveWriteThrough<V>(options: unknown): WriteThroughOptions<V> {
  if (options === null || typeof options !== 'object') {
    throw invalidOption(`Expected \`writeThrough\` to be an object with write(), got ${typeof options}`);
  }
  assertKnownOptions('writeThrough', options, ['write']);
  assertFunction('writeThrough.write', (options as { write?: unknown }).write);
  return options as WriteThroughOptions<V>;
}

export function resolveWriteBehind<V>(options: WriteBehindOptions<V>): ResolvedWriteBehind<V> {
  const config = withDefaults('writeBehind', DEFAULTS, options);
  assertKnownOptions('writeBehind', config, KNOWN);
  if (config.write === undefined && config.writeMany === undefined) {
    throw invalidOption('Expected `writeBehind.write` or `writeBehind.writeMany` to be a function, got neither');
  }
  if (config.write !== undefined) assertFunction('writeBehind.write', config.write);
  if (config.writeMany !== undefined) assertFunction('writeBehind.writeMany', config.writeMany);
  assertInteger('writeBehind.maxQueue', config.maxQueue, { min: 1 });
  assertInteger('writeBehind.batchSize', config.batchSize, { min: 1 });
  assertInteger('writeBehind.concurrency', config.concurrency, { min: 1 });
  assertDuration('writeBehind.flushInterval', config.flushInterval);
  assertOneOf('writeBehind.whenFull', config.whenFull, ['wait', 'reject'] as const);
  assertDuration('writeBehind.maxWait', config.maxWait);
  assertInteger('writeBehind.maxRetries', config.maxRetries, { min: 0, max: Infinity });
  assertDuration('writeBehind.retryDelay', config.retryDelay);
  assertDuration('writeBehind.maxRetryDelay', config.maxRetryDelay, { min: config.retryDelay, max: MAX_TIMER_MS });
  const write = config.write;
  const writeMany =
    config.writeMany ??
    (async (entries: readonly WriteBehindEntry<V>[]) => {
      // Key by key, in order: a batch never holds two writes for one key, so order per key holds.
      for (const entry of entries) await write!(entry.key, entry.value);
    });
  return {
    writeMany,
    maxQueue: config.maxQueue,
    batchSize: config.batchSize,
    concurrency: config.concurrency,
    flushInterval: config.flushInterval,
    whenFull: config.whenFull,
    maxWait: config.maxWait,
    maxRetries: config.maxRetries,
    retryDelay: config.retryDelay,
    maxRetryDelay: config.maxRetryDelay,
  };
}
