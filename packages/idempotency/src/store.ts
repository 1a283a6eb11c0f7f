/**
 * The store interface behind `run()`. Both stores (memory, Redis) pass one conformance suite
 * (test/store-conformance.ts). Every method that changes a claim compares the owner token, so a
 * holder whose lease ran out can never touch a record another caller now holds.
 *
 * `id` is already a hash of scope + key and `fingerprint` a digest; values are JSON text.
 */
export interface IdempotencyStore {
  /**
   * One atomic step: if the record holds a different fingerprint → `mismatch`; if it holds an
   * outcome → `completed`; else if nobody holds a live lease, take it for `owner` for `leaseMs`
   * and create the record (fingerprint, expiring after `ttlMs`) → `claimed` with any steps a
   * previous holder saved; else → `in-flight` with the lease time left.
   */
  claim(id: string, fingerprint: string, owner: string, leaseMs: number, ttlMs: number): Promise<ClaimResult>;
  /**
   * Extends `owner`'s lease to `leaseMs` from now, and the record's expiry to at least as long
   * (never shortening it), so a handler running past `ttlMs` keeps its fingerprint and saved
   * steps; false when `owner` no longer holds the lease.
   */
  renew(id: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Saves a recovery point in the record while `owner` holds the lease; false otherwise. */
  saveStep(id: string, owner: string, name: string, value: string): Promise<boolean>;
  /**
   * Stores the outcome (kept `ttlMs`), drops saved steps and frees the lease. Succeeds while
   * `owner` holds the lease, or when its lease lapsed but nobody else claimed or completed the
   * record since (the work is done; storing it is better than running it again).
   */
  complete(id: string, owner: string, fingerprint: string, outcome: string, ttlMs: number): Promise<boolean>;
  /**
   * Frees `owner`'s lease. The record is deleted unless it holds saved steps, which stay (for
   * the record's TTL) so the next holder resumes; false when `owner` no longer held the lease.
   */
  release(id: string, owner: string): Promise<boolean>;
  /** The record as stored, for inspection and tests. */
  get(id: string): Promise<StoredRecord | undefined>;
  /**
   * The longest a store call may take before it fails (the Redis store's `commandTimeoutMs`),
   * if the store bounds its calls. `idempotency()` checks it against the renewal margin: a
   * renewal that may take longer than `leaseMs - leaseMs / 3` could outlast the lease.
   */
  readonly maxCallMs?: number;
}

export type ClaimResult =
  | { readonly status: 'claimed'; readonly steps: Readonly<Record<string, string>> }
  | { readonly status: 'completed'; readonly outcome: string }
  | { readonly status: 'in-flight'; readonly leaseRemainingMs: number }
  | { readonly status: 'mismatch' };

export interface StoredRecord {
  readonly fingerprint: string;
  /** The outcome's JSON text once completed. */
  readonly outcome: string | undefined;
  /** Saved recovery points by step name (empty once completed). */
  readonly steps: Readonly<Record<string, string>>;
  /** Time left on the current holder's lease; 0 when nobody holds it. */
  readonly leaseRemainingMs: number;
}
