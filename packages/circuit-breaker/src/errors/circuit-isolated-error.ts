import { IsolatedCircuitError, breakwaterErrorBrand, errorBrand, hasBrand } from '@breakwater/core';

const circuitIsolatedErrorBrand = errorBrand('ERR_BREAKWATER_CIRCUIT_ISOLATED');

/**
 * Thrown, without running the call, by a breaker held open with `isolate()`. It extends
 * cockatiel's `IsolatedCircuitError` (itself a `BrokenCircuitError`), so cockatiel's guards keep
 * working; it also counts as a `BreakwaterError`. Adapters answer 503, without `Retry-After`:
 * only the code that isolated the breaker knows when it ends.
 */
export class CircuitIsolatedError extends IsolatedCircuitError {
  override name = 'CircuitIsolatedError';
  readonly code = 'ERR_BREAKWATER_CIRCUIT_ISOLATED';
  readonly [breakwaterErrorBrand] = true;
  readonly [circuitIsolatedErrorBrand] = true;
  /** The name of the breaker that rejected the call. */
  readonly policy: string;
  readonly state = 'isolated';
  /** Always undefined: an isolated breaker has no schedule. Present so callers can read it on either error. */
  readonly retryAfterMs: undefined = undefined;

  constructor(policy: string) {
    super();
    // cockatiel's constructor takes no message.
    this.message = `Circuit breaker "${policy}" is isolated; calls are rejected until every isolate() handle is disposed`;
    this.policy = policy;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, circuitIsolatedErrorBrand);
  }
}

export const isCircuitIsolatedError = (error: unknown): error is CircuitIsolatedError => hasBrand(error, circuitIsolatedErrorBrand);
