import { assertKnownOptions, assertOneOf, describeValue, invalidOption, withDefaults } from '@breakwater/core';
import type { CheckDefinition } from '../check.ts';

/** What `breakerCheck` reads: a `circuitBreaker()` from @breakwater/circuit-breaker fits. */
export interface BreakerLike {
  /** `closed`, `half-open`, `open` or `isolated`. */
  readonly state: string;
  /** When present: `retryAfterMs` 0 means an open breaker's break is over and its next call probes. */
  readonly stats?: { readonly retryAfterMs?: number | undefined };
}

export interface BreakerCheckOptions {
  /**
   * The status while the breaker is open or isolated: `fail` takes the instance out of
   * service (the dependency is critical), `warn` keeps it serving with a degraded dependency.
   * Half-open always warns.
   * @default 'fail'
   */
  readonly whenOpen?: 'fail' | 'warn';
}

/**
 * Reports a circuit breaker's state (`"<name>:state"`): closed passes, half-open warns, open
 * and isolated answer `whenOpen`. An open breaker whose break is over warns: it half-opens only
 * on its next call, which an instance out of service would never get. Reads the state only; it
 * never calls through the breaker.
 *
 * @example
 * health.register('payments', breakerCheck(paymentsBreaker, { whenOpen: 'warn' }));
 */
export function breakerCheck(breaker: BreakerLike, options?: BreakerCheckOptions): CheckDefinition {
  if (breaker === null || typeof breaker !== 'object' || typeof (breaker as { state?: unknown }).state !== 'string') {
    throw invalidOption(`Expected \`breaker\` to be a circuit breaker with a string \`state\`, got ${describeValue(breaker)}`);
  }
  const config = withDefaults('breakerCheck()', { whenOpen: 'fail' as 'fail' | 'warn' }, options);
  assertKnownOptions('breakerCheck()', config, ['whenOpen']);
  assertOneOf('whenOpen', config.whenOpen, ['fail', 'warn'] as const);
  const { whenOpen } = config;
  return {
    measurement: 'state',
    componentType: 'component',
    run() {
      const state = breaker.state;
      if (state === 'closed') return { status: 'pass', observedValue: state };
      if (state === 'half-open') return { status: 'warn', observedValue: state, output: 'the circuit is half-open: probing' };
      // A breaker half-opens on the next call after its break. An instance taken out of service
      // gets no calls, so reporting `fail` here would keep it out for good: let traffic back to probe.
      if (state === 'open' && breaker.stats?.retryAfterMs === 0) {
        return { status: 'warn', observedValue: state, output: 'the break is over: the next call probes the dependency' };
      }
      return { status: whenOpen, observedValue: state, output: `the circuit is ${state}` };
    },
  };
}
