import { BrokenCircuitError, breakwaterErrorBrand, errorBrand, hasBrand } from '@breakwater/core';

const circuitOpenErrorBrand = errorBrand('ERR_BREAKWATER_CIRCUIT_OPEN');

/**
 * Thrown, without running the call, by a breaker that is open, or half-open with every probe
 * slot taken. It extends cockatiel's `BrokenCircuitError`, so `isBrokenCircuitError()` and code
 * written for cockatiel keep working; it also counts as a `BreakwaterError`. Adapters answer 503
 * with `Retry-After` from `retryAfterMs` when it is known.
 */
export class CircuitOpenError extends BrokenCircuitError {
  override name = 'CircuitOpenError';
  readonly code = 'ERR_BREAKWATER_CIRCUIT_OPEN';
  readonly [breakwaterErrorBrand] = true;
  readonly [circuitOpenErrorBrand] = true;
  /** The name of the breaker that rejected the call. */
  readonly policy: string;
  /** The breaker's state when it rejected the call. */
  readonly state: 'open' | 'half-open';
  /**
   * Milliseconds until the breaker admits a probe (rounded up), when open. Undefined when
   * half-open: the probes already running decide, and no time can be promised.
   */
  readonly retryAfterMs: number | undefined;

  constructor(policy: string, state: 'open' | 'half-open', retryAfterMs: number | undefined) {
    super(
      state === 'open'
        ? `Circuit breaker "${policy}" is open; it admits a probe call in ${retryAfterMs}ms`
        : `Circuit breaker "${policy}" is half-open and its probe calls are all running`,
    );
    this.policy = policy;
    this.state = state;
    this.retryAfterMs = retryAfterMs;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, circuitOpenErrorBrand);
  }
}

export const isCircuitOpenError = (error: unknown): error is CircuitOpenError => hasBrand(error, circuitOpenErrorBrand);
