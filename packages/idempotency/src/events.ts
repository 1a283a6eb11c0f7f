/**
 * How a `run()` call ended; a closed set, so it can be a metrics label:
 * - `executed`: `fn` ran and its outcome was stored;
 * - `replayed`: a stored outcome was returned;
 * - `conflict`: another caller held the claim (after any bounded wait);
 * - `mismatch`: the key was used with another fingerprint;
 * - `invalid`: the key was refused;
 * - `unavailable`: the store could not be asked, `fn` did not run;
 * - `failed`: `fn` threw, the claim was released;
 * - `released`: `fn` returned but nothing was stored (see `reason`), the claim was released.
 */
export type IdempotencyOutcome = 'executed' | 'replayed' | 'conflict' | 'mismatch' | 'invalid' | 'unavailable' | 'failed' | 'released';

/**
 * Why a `released` outcome stored nothing: `shouldStore` said no, the outcome was larger than
 * `maxRecordBytes`, the caller's signal aborted after the claim and before `fn` ran, or `fn`
 * threw `IdempotencyNotStorableError` (its work is done, but the outcome, e.g. a streamed,
 * oversized or hijacked HTTP response, cannot be stored).
 */
export type ReleaseReason = 'not-final' | 'too-large' | 'aborted' | 'not-storable';

/** Emitted by `onOutcome` once per `run()` call. Never carries the key or scope. */
export interface IdempotencyOutcomeEvent {
  /** The idempotency object's `name`. */
  readonly name: string;
  readonly outcome: IdempotencyOutcome;
  /** Set for the `released` outcome only. */
  readonly reason?: ReleaseReason;
  /** From the call to its settlement, in ms (the injected clock). */
  readonly durationMs: number;
}

/**
 * Emitted by `onLeaseLost`: a running holder lost (or gave up) its claim before `fn` settled, so
 * another caller may run the same key. `rejected`: the store said another owner holds it (the
 * lease had lapsed); `unreachable`: renewals failed (or hung) until the lease ran out; `max-hold`: the
 * handler ran past `maxHoldMs`; `closed`: `close()`.
 */
export interface LeaseLostEvent {
  readonly name: string;
  readonly reason: 'rejected' | 'unreachable' | 'max-hold' | 'closed';
}

/** The store operation that failed. */
export type StoreOperation = 'claim' | 'renew' | 'save-step' | 'complete' | 'release';

/** Emitted by `onStoreError` for every store call that threw or timed out. */
export interface StoreErrorEvent {
  readonly name: string;
  readonly operation: StoreOperation;
  readonly error: unknown;
}
