import { LRUCache } from 'lru-cache';
import { assertInteger, assertKnownOptions, assertMethods, systemClock, withDefaults, type Clock } from '@breakwater/core';
import type { ClaimResult, IdempotencyStore, StoredRecord } from './store.ts';

export interface MemoryStoreOptions {
  /**
   * Completed records kept at most; the least recently used is dropped first, so a flood of
   * distinct keys cannot exhaust memory. Records still running are kept apart and never
   * evicted (dropping one would let a duplicate run). Integer ≥ 1.
   * @default 10_000
   */
  readonly maxRecords?: number;
  /** Time source for leases and TTLs (only `now()` is used). @default systemClock */
  readonly clock?: Clock;
}

/** A claimed record, or one a failed holder left with saved steps. */
interface PendingRecord {
  readonly fingerprint: string;
  owner: string | undefined;
  leaseUntil: number;
  readonly steps: Map<string, string>;
  expiresAt: number;
}

interface CompletedRecord {
  readonly fingerprint: string;
  readonly outcome: string;
  readonly expiresAt: number;
}

/** Old pending records looked at per claim, to drop expired ones without a timer. */
const SWEEP_PER_CLAIM = 2;
/** Held records stepped over, at most, per claim to find lapsed ones when over `maxRecords`. */
const SCAN_WHEN_FULL = 16;

/**
 * A per-process store: each method checks and sets synchronously, so two callers in one
 * process can never both claim a key. It cannot deduplicate across processes; use the Redis
 * store for that.
 */
export function memoryStore(options?: MemoryStoreOptions): IdempotencyStore {
  const config = withDefaults('memoryStore()', { maxRecords: 10_000, clock: systemClock as Clock }, options);
  assertKnownOptions('memoryStore()', config, ['maxRecords', 'clock']);
  assertInteger('maxRecords', config.maxRecords, { min: 1 });
  assertMethods('clock', config.clock, ['now']);
  return new MemoryStore(config.maxRecords, config.clock);
}

class MemoryStore implements IdempotencyStore {
  readonly #pending = new Map<string, PendingRecord>();
  /**
   * The ids of pending records nobody holds (a failed holder left saved steps), least recently
   * used first: what the bound drops first, in O(1), however many held claims are older.
   */
  readonly #unheld = new Set<string>();
  readonly #completed: LRUCache<string, CompletedRecord>;
  readonly #maxRecords: number;
  readonly #clock: Clock;

  constructor(maxRecords: number, clock: Clock) {
    this.#maxRecords = maxRecords;
    this.#clock = clock;
    this.#completed = new LRUCache({ max: maxRecords });
  }

  claim(id: string, fingerprint: string, owner: string, leaseMs: number, ttlMs: number): Promise<ClaimResult> {
    const now = this.#clock.now();
    this.#sweep(now);
    const done = this.#liveCompleted(id, now);
    if (done !== undefined) {
      return Promise.resolve(done.fingerprint === fingerprint ? { status: 'completed', outcome: done.outcome } : { status: 'mismatch' });
    }
    const pending = this.#livePending(id, now);
    if (pending !== undefined) {
      if (pending.fingerprint !== fingerprint) return Promise.resolve({ status: 'mismatch' });
      if (this.#holder(pending, now) !== undefined) {
        return Promise.resolve({ status: 'in-flight', leaseRemainingMs: pending.leaseUntil - now });
      }
      // The last holder's lease lapsed (it crashed or hung) or it failed after saving steps.
      pending.owner = owner;
      pending.leaseUntil = now + leaseMs;
      pending.expiresAt = Math.max(pending.expiresAt, now + ttlMs);
      this.#unheld.delete(id);
      return Promise.resolve({ status: 'claimed', steps: Object.fromEntries(pending.steps) });
    }
    this.#pending.set(id, { fingerprint, owner, leaseUntil: now + leaseMs, steps: new Map(), expiresAt: now + ttlMs });
    this.#bound(now);
    return Promise.resolve({ status: 'claimed', steps: {} });
  }

  renew(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const held = this.#held(id, owner);
    if (held !== undefined) {
      const now = this.#clock.now();
      held.leaseUntil = now + leaseMs;
      // The record (fingerprint, steps) lives at least as long as the lease on it: a handler
      // running past `ttlMs` must not lose them, or a duplicate could claim a fresh record.
      held.expiresAt = Math.max(held.expiresAt, held.leaseUntil);
    }
    return Promise.resolve(held !== undefined);
  }

  saveStep(id: string, owner: string, name: string, value: string): Promise<boolean> {
    const held = this.#held(id, owner);
    held?.steps.set(name, value);
    return Promise.resolve(held !== undefined);
  }

  complete(id: string, owner: string, fingerprint: string, outcome: string, ttlMs: number): Promise<boolean> {
    const now = this.#clock.now();
    const pending = this.#livePending(id, now);
    // Refused only while another owner holds a live lease, or once someone else completed the
    // record. A lapsed lease nobody took over still completes: no one else can have run the work.
    const holder = pending === undefined ? undefined : this.#holder(pending, now);
    if ((holder !== undefined && holder !== owner) || (pending === undefined && this.#liveCompleted(id, now) !== undefined)) {
      return Promise.resolve(false);
    }
    this.#drop(id);
    this.#completed.set(id, { fingerprint, outcome, expiresAt: now + ttlMs });
    return Promise.resolve(true);
  }

  release(id: string, owner: string): Promise<boolean> {
    const now = this.#clock.now();
    const pending = this.#livePending(id, now);
    if (pending === undefined) return Promise.resolve(false);
    const holder = this.#holder(pending, now);
    if (holder !== undefined && holder !== owner) return Promise.resolve(false);
    // Saved steps stay for the next holder; a record without any is forgotten, fingerprint included.
    if (pending.steps.size === 0) this.#drop(id);
    else {
      pending.owner = undefined;
      // Most recently used last.
      this.#unheld.delete(id);
      this.#unheld.add(id);
    }
    return Promise.resolve(holder === owner);
  }

  get(id: string): Promise<StoredRecord | undefined> {
    const now = this.#clock.now();
    const done = this.#liveCompleted(id, now);
    if (done !== undefined) return Promise.resolve({ fingerprint: done.fingerprint, outcome: done.outcome, steps: {}, leaseRemainingMs: 0 });
    const pending = this.#livePending(id, now);
    if (pending === undefined) return Promise.resolve(undefined);
    const leaseRemainingMs = this.#holder(pending, now) === undefined ? 0 : pending.leaseUntil - now;
    return Promise.resolve({ fingerprint: pending.fingerprint, outcome: undefined, steps: Object.fromEntries(pending.steps), leaseRemainingMs });
  }

  /** The pending record `owner` holds with a live lease. */
  #held(id: string, owner: string): PendingRecord | undefined {
    const now = this.#clock.now();
    const pending = this.#livePending(id, now);
    return pending !== undefined && this.#holder(pending, now) === owner ? pending : undefined;
  }

  /** Who holds the lease now: nobody once it lapsed (as a Redis key with PX disappears). */
  #holder(pending: PendingRecord, now: number): string | undefined {
    return pending.leaseUntil > now ? pending.owner : undefined;
  }

  #liveCompleted(id: string, now: number): CompletedRecord | undefined {
    const done = this.#completed.get(id);
    if (done === undefined || done.expiresAt > now) return done;
    this.#completed.delete(id);
    return undefined;
  }

  #livePending(id: string, now: number): PendingRecord | undefined {
    const pending = this.#pending.get(id);
    // A record under a live lease outlives its TTL (renewals extend it too): its handler runs.
    if (pending === undefined || pending.expiresAt > now || this.#holder(pending, now) !== undefined) return pending;
    this.#drop(id);
    return undefined;
  }

  #drop(id: string): void {
    this.#pending.delete(id);
    this.#unheld.delete(id);
  }

  /** Drops the oldest pending records that nobody holds and that expired or saved nothing. */
  #sweep(now: number): void {
    let looked = 0;
    for (const [id, pending] of this.#pending) {
      if (looked++ >= SWEEP_PER_CLAIM) break;
      if (this.#droppable(pending, now, false)) this.#drop(id);
    }
    looked = 0;
    for (const id of this.#unheld) {
      if (looked++ >= SWEEP_PER_CLAIM) break;
      const pending = this.#pending.get(id);
      if (pending === undefined || this.#droppable(pending, now, false)) this.#drop(id);
    }
  }

  /**
   * Keeps pending records within `maxRecords` by dropping unheld ones: first those nobody holds
   * (least recently used first, each O(1)), then held ones whose lease lapsed, found by walking
   * the held records oldest first. Records with a live lease stay whatever their number (each
   * is a handler running right now); each one stepped over moves to the back, so the next walk
   * starts past it and a block of long-running claims cannot hide lapsed records behind it.
   * Amortized O(1) per claim: every record is dropped once, at most 16 live ones are stepped over.
   */
  #bound(now: number): void {
    for (const id of this.#unheld) {
      if (this.#pending.size <= this.#maxRecords) return;
      this.#drop(id);
    }
    let stepped = 0;
    for (const [id, pending] of this.#pending) {
      if (this.#pending.size <= this.#maxRecords || stepped >= SCAN_WHEN_FULL) return;
      if (this.#droppable(pending, now, true)) {
        this.#drop(id);
        continue;
      }
      stepped++;
      this.#pending.delete(id);
      this.#pending.set(id, pending);
    }
  }

  #droppable(pending: PendingRecord, now: number, underPressure: boolean): boolean {
    if (this.#holder(pending, now) !== undefined) return false;
    if (pending.expiresAt <= now) return true;
    return underPressure || pending.steps.size === 0;
  }
}
