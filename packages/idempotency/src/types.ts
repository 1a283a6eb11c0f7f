/**
 * The contract between @breakwater/idempotency and its HTTP adapters (@breakwater/express,
 * @breakwater/fastify) and @breakwater/metrics. Adapters depend on these shapes only.
 */

/** A stored outcome must survive a trip through the store: plain JSON values only. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** The HTTP adapters' stored outcome (what a replay restores). */
export type StoredHttpResponse = {
  readonly status: number;
  /** Safe headers only (never Set-Cookie or hop-by-hop), lower-case names. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  /** The body, base64. */
  readonly body: string;
};

export interface RunOptions<T extends JsonValue> {
  /** Principal scope (tenant, user, API key id): the same key in two scopes is two records. */
  readonly scope?: string;
  /** Aborts waiting (not a running `fn`, which receives its own signal). */
  readonly signal?: AbortSignal;
  /**
   * Whether an outcome is final and stored; `false` releases the claim so the key can be retried
   * (the HTTP adapters pass: 2xx, 3xx and 4xx except 401/403/408/409/425/429). Default: every value is stored.
   */
  readonly shouldStore?: (value: T) => boolean;
  /**
   * While another caller holds the claim, poll the store for up to this many milliseconds for
   * its stored outcome (replayed) or for the claim to free up (then this caller runs `fn`),
   * instead of failing at once with `IdempotencyConflictError`. Bounded by `signal`.
   * @default the idempotency object's `waitMs` (0: fail at once)
   */
  readonly waitMs?: number;
}

export interface RunContext {
  /** Aborted when the claim is lost (lease could not be renewed) or the idempotency object closes. */
  readonly signal: AbortSignal;
  /**
   * A recovery point: runs `fn` once per record and persists its result in the record, so a
   * re-run after a crash (or after `fn` threw and a retry re-claimed the key) returns the saved
   * result instead of running the step again. `name` must be unique within the handler; the
   * result must be JSON. Throws `IdempotencyLeaseLostError` when the claim was lost.
   */
  step<S extends JsonValue>(name: string, fn: () => Promise<S> | S): Promise<S>;
}

export interface RunResult<T extends JsonValue> {
  readonly value: T;
  /** True when `value` is a stored outcome replayed from an earlier run. */
  readonly replayed: boolean;
}

/** What adapters and the metrics binding need. */
export interface IdempotencyLike {
  readonly name: string;
  /**
   * Claims `key` in `scope`, runs `fn` once, stores its outcome and returns it; every later call
   * with the same key and fingerprint gets the stored outcome with `replayed: true`.
   * Rejects with:
   * - `InvalidIdempotencyKeyError` (`ERR_BREAKWATER_IDEMPOTENCY_KEY_INVALID`, HTTP 400);
   * - `IdempotencyConflictError` (`ERR_BREAKWATER_IDEMPOTENCY_CONFLICT`, HTTP 409, has `retryAfterMs`)
   *   while another caller holds the claim;
   * - `IdempotencyMismatchError` (`ERR_BREAKWATER_IDEMPOTENCY_MISMATCH`, HTTP 422) for a different fingerprint;
   * - `IdempotencyUnavailableError` (`ERR_BREAKWATER_IDEMPOTENCY_UNAVAILABLE`, HTTP 503, has
   *   `retryAfterMs`) when the store is down (fn never runs unclaimed);
   * - whatever `fn` throws (the claim is released first).
   */
  run<T extends JsonValue>(key: string, fingerprint: string, fn: (context: RunContext) => Promise<T>, options?: RunOptions<T>): Promise<RunResult<T>>;
}
