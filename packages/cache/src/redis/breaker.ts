import type { Clock } from '@breakwater/core';

/**
 * The state of a {@link L2Breaker}. No timer moves it: `open` turns `half-open` lazily, when the
 * first call after `openMs` asks, so a breaker never keeps the process alive or leaks a timer.
 */
export type L2BreakerState = 'closed' | 'open' | 'half-open';

export type AdmitResult = { readonly admitted: true; readonly probe: boolean } | { readonly admitted: false; readonly retryAfterMs: number };

/**
 * A minimal consecutive-failures breaker for the L2 (the cache package does not depend on
 * @breakwater/circuit-breaker). After `threshold` availability failures in a row it opens for
 * `openMs`; then exactly one call goes through as a probe while every other call is shed at once;
 * the probe's success closes it, its failure reopens it for another `openMs`.
 */
export class L2Breaker {
  readonly #threshold: number;
  readonly #openMs: number;
  readonly #clock: Clock;
  readonly #onOpen: (failures: number, error: unknown) => void;
  readonly #onClose: (openForMs: number) => void;
  #state: L2BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #firstOpenedAt = 0;
  #probeOut = false;

  constructor(options: {
    threshold: number;
    openMs: number;
    clock: Clock;
    onOpen: (failures: number, error: unknown) => void;
    onClose: (openForMs: number) => void;
  }) {
    this.#threshold = options.threshold;
    this.#openMs = options.openMs;
    this.#clock = options.clock;
    this.#onOpen = options.onOpen;
    this.#onClose = options.onClose;
  }

  get state(): L2BreakerState {
    if (this.#state === 'open' && this.#clock.now() - this.#openedAt >= this.#openMs) return 'half-open';
    return this.#state;
  }

  /** Asks to make a call. A probe must be reported with {@link success} or {@link failure}. */
  admit(): AdmitResult {
    if (this.#state === 'closed') return ADMITTED;
    if (this.#state === 'open') {
      const waited = this.#clock.now() - this.#openedAt;
      if (waited < this.#openMs) return { admitted: false, retryAfterMs: this.#openMs - waited };
      this.#state = 'half-open';
    }
    if (this.#probeOut) return { admitted: false, retryAfterMs: 0 };
    this.#probeOut = true;
    return PROBE;
  }

  success(probe: boolean): void {
    this.#failures = 0;
    if (!probe) return;
    this.#probeOut = false;
    if (this.#state !== 'half-open') return;
    this.#state = 'closed';
    this.#onClose(this.#clock.now() - this.#firstOpenedAt);
  }

  /** An availability failure (timeout, lost connection); a reply error such as WRONGTYPE is not one. */
  failure(probe: boolean, error: unknown): void {
    if (probe) this.#probeOut = false;
    // A call admitted before the breaker opened, failing late, says nothing new.
    if (!probe && this.#state !== 'closed') return;
    this.#failures++;
    if (this.#state === 'half-open' || this.#failures >= this.#threshold) {
      if (this.#state === 'closed') this.#firstOpenedAt = this.#clock.now();
      this.#state = 'open';
      this.#openedAt = this.#clock.now();
      this.#onOpen(this.#failures, error);
    }
  }
}

const ADMITTED: AdmitResult = { admitted: true, probe: false };
const PROBE: AdmitResult = { admitted: true, probe: true };
