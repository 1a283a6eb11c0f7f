import {
  assertDuration,
  assertInteger,
  assertKnownOptions,
  assertMethods,
  assertNumber,
  assertString,
  invalidOption,
  systemClock,
  withDefaults,
  type Clock,
} from '@breakwater/core';
import type { IdempotencyStore } from './store.ts';

export interface IdempotencyOptions {
  /** Where claims and records live: `memoryStore()`, or `redisStore(client)` from `@breakwater/idempotency/redis`. Required. */
  readonly store: IdempotencyStore;
  /** A name for events and metrics labels. @default 'idempotency' */
  readonly name?: string;
  /**
   * How long a claim holds without renewal, in ms. The running holder renews it every third
   * of this, so a slow handler keeps it; a crashed holder frees the key after at most this
   * long. From 3 ms up to `ttlMs`.
   * @default 30_000
   */
  readonly leaseMs?: number;
  /**
   * How long a running handler may hold its claim, in ms: renewals stop after this, the
   * handler's `context.signal` aborts (`onLeaseLost` reason `max-hold`) and the key is free
   * again at most `leaseMs` later. Bounds how long a hung handler blocks its key; a handler
   * still running past it may then run a second time. `Infinity`: renew as long as it runs.
   * @default Infinity
   */
  readonly maxHoldMs?: number;
  /** How long a stored outcome is replayed, in ms (Stripe keeps keys ≥ 24 h). @default 86_400_000 */
  readonly ttlMs?: number;
  /**
   * Default bounded wait for an in-flight duplicate (see `RunOptions.waitMs`); 0 answers
   * `IdempotencyConflictError` at once, as the IETF draft's 409 does.
   * @default 0
   */
  readonly waitMs?: number;
  /**
   * The retry hint on `IdempotencyUnavailableError`, and the cap of the one on
   * `IdempotencyConflictError` (which is the lease time left, if shorter), in ms.
   * @default 1_000
   */
  readonly retryAfterMs?: number;
  /**
   * The largest outcome (and recovery point) stored, in bytes of its JSON text. A larger
   * outcome is returned to its caller but not stored, and the claim is released (event
   * outcome `released`, reason `too-large`): a retry runs again. A larger step throws.
   * @default 1_048_576
   */
  readonly maxRecordBytes?: number;
  /** Time source for renewals, waits and durations. @default systemClock */
  readonly clock?: Clock;
}

export interface ResolvedIdempotencyOptions {
  readonly store: IdempotencyStore;
  readonly name: string;
  readonly leaseMs: number;
  readonly maxHoldMs: number;
  readonly ttlMs: number;
  readonly waitMs: number;
  readonly retryAfterMs: number;
  readonly maxRecordBytes: number;
  readonly clock: Clock;
}

const DEFAULTS = {
  name: 'idempotency',
  leaseMs: 30_000,
  maxHoldMs: Infinity,
  ttlMs: 86_400_000,
  waitMs: 0,
  retryAfterMs: 1_000,
  maxRecordBytes: 1_048_576,
  clock: systemClock as Clock,
};
const KNOWN = ['store', 'name', 'leaseMs', 'maxHoldMs', 'ttlMs', 'waitMs', 'retryAfterMs', 'maxRecordBytes', 'clock'] as const;
export const STORE_METHODS = ['claim', 'renew', 'saveStep', 'complete', 'release', 'get'] as const;

/** Checks every option once, at construction, and fills in the defaults. */
export function resolveIdempotencyOptions(options: IdempotencyOptions): ResolvedIdempotencyOptions {
  const config = withDefaults('idempotency()', DEFAULTS, options);
  assertKnownOptions('idempotency()', config, KNOWN);
  assertMethods('store', config.store, STORE_METHODS);
  assertString('name', config.name, { min: 1 });
  assertDuration('ttlMs', config.ttlMs, { min: 1 });
  assertDuration('leaseMs', config.leaseMs, { min: 3 });
  if (config.leaseMs > config.ttlMs) {
    throw invalidOption(`Expected \`leaseMs\` to be at most \`ttlMs\` (${config.ttlMs}), got \`${config.leaseMs}\` (number)`, 'range');
  }
  // A renewal is sent a third into the lease; a store call that may take longer than the rest
  // (two thirds) could settle only after the lease ran out. The lease keeper declares the lease
  // lost at its end anyway, but every renewal that times out would then cost the claim.
  const margin = config.leaseMs - Math.floor(config.leaseMs / 3);
  const maxCallMs = (config.store as { maxCallMs?: unknown }).maxCallMs;
  if (typeof maxCallMs === 'number' && maxCallMs > margin) {
    throw invalidOption(
      `Expected the store's command timeout (${maxCallMs}ms) to be at most the renewal margin of \`leaseMs\` (${margin}ms: two thirds of ${config.leaseMs}); lower \`commandTimeoutMs\` or raise \`leaseMs\``,
      'range',
    );
  }
  // Not a timer of its own (renewal timers are capped by it), so Infinity is allowed.
  assertNumber('maxHoldMs', config.maxHoldMs, { min: config.leaseMs, max: Infinity });
  assertDuration('waitMs', config.waitMs);
  assertDuration('retryAfterMs', config.retryAfterMs);
  assertInteger('maxRecordBytes', config.maxRecordBytes, { min: 1 });
  assertMethods('clock', config.clock, ['now', 'setTimeout', 'clearTimeout']);
  return config;
}
