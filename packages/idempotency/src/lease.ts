import type { Clock, TimerHandle } from '@breakwater/core';
import type { IdempotencyStore } from './store.ts';

/** Why a holder stopped holding its claim before its handler settled. */
export type LeaseLossReason = 'rejected' | 'unreachable' | 'max-hold';

export interface LeaseOptions {
  readonly store: IdempotencyStore;
  readonly id: string;
  readonly owner: string;
  readonly leaseMs: number;
  /** Renewals stop this long after the claim; `Infinity` renews as long as the handler runs. */
  readonly maxHoldMs: number;
  readonly clock: Clock;
  /** When the claim was asked for: the store's lease started no earlier. */
  readonly claimedAt: number;
  /**
   * The claim is gone or given up: the store said another owner holds it (`rejected`), no
   * renewal succeeded within the lease, a pending one included (`unreachable`), or `maxHoldMs`
   * passed (`max-hold`).
   */
  lost(reason: LeaseLossReason, cause?: unknown): void;
  /** A renewal threw or timed out; another is tried while the lease lasts. */
  renewFailed(error: unknown): void;
}

/**
 * Keeps a claim alive while its handler runs: renews every third of the lease through the
 * injected clock, so a slow handler is never run twice, and gives up (→ `lost`) when the store
 * refuses, when the lease has run out without a successful renewal, or after `maxHoldMs`.
 *
 * A renewal in flight is raced against the lease: a watchdog timer fires at `heldUntil` (the
 * latest moment the store is known to hold the claim) and declares the lease lost
 * (`unreachable`) even if the store call never settles, so a hung store cannot leave the
 * handler running while another caller claims the key. One timer at a time between renewals
 * (the next renewal), one while a renewal is pending (the watchdog); `stop()` clears both.
 */
export class LeaseKeeper {
  readonly #options: LeaseOptions;
  #timer: TimerHandle | undefined;
  #watchdog: TimerHandle | undefined;
  #stopped = false;
  /** Until when the store is known to hold the claim: when the last successful renewal was sent + lease. */
  #heldUntil: number;
  readonly #giveUpAt: number;
  /** The last renewal error, the cause of an `unreachable` loss. */
  #lastError: unknown;

  constructor(options: LeaseOptions) {
    this.#options = options;
    this.#heldUntil = options.claimedAt + options.leaseMs;
    this.#giveUpAt = options.claimedAt + options.maxHoldMs;
    this.#schedule(this.#interval());
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#clearWatchdog();
  }

  #interval(): number {
    return Math.max(1, Math.floor(this.#options.leaseMs / 3));
  }

  #schedule(ms: number): void {
    // Wake up at the give-up time rather than renew past it.
    const untilGiveUp = this.#giveUpAt - this.#options.clock.now();
    this.#timer = this.#options.clock.setTimeout(
      () => {
        this.#timer = undefined;
        void this.#renew();
      },
      Math.max(1, Math.min(ms, untilGiveUp)),
    );
  }

  #clearWatchdog(): void {
    if (this.#watchdog !== undefined) this.#options.clock.clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
  }

  async #renew(): Promise<void> {
    const { store, id, owner, leaseMs, clock } = this.#options;
    const sentAt = clock.now();
    if (sentAt >= this.#giveUpAt) return this.#lose('max-hold');
    // Nothing sent now can keep a lease that already ran out in the store.
    const left = this.#heldUntil - sentAt;
    if (left <= 0) return this.#lose('unreachable', this.#lastError);
    // A renewal that does not settle before the lease ends is as good as a failed one.
    this.#watchdog = clock.setTimeout(() => {
      this.#watchdog = undefined;
      if (this.#stopped) return;
      const timeout = new Error(`The lease renewal did not settle within the lease (${leaseMs}ms)`, { cause: this.#lastError });
      this.#lose('unreachable', timeout);
    }, left);
    let renewed: boolean;
    try {
      renewed = await store.renew(id, owner, leaseMs);
    } catch (error) {
      if (this.#stopped) return;
      this.#clearWatchdog();
      this.#lastError = error;
      this.#options.renewFailed(error);
      const rest = this.#heldUntil - clock.now();
      if (rest <= 0) return this.#lose('unreachable', error);
      // Try again soon; a retry due at the end of the lease declares it lost instead.
      this.#schedule(Math.min(this.#interval(), rest));
      return;
    }
    if (this.#stopped) return;
    this.#clearWatchdog();
    if (!renewed) return this.#lose('rejected');
    this.#heldUntil = sentAt + leaseMs;
    this.#schedule(this.#interval());
  }

  #lose(reason: LeaseLossReason, cause?: unknown): void {
    this.stop();
    this.#options.lost(reason, cause);
  }
}
