// Per-call overhead of policy wrappers around an async function that resolves at once:
// Breakwater's four-policy stack against cockatiel's three-policy stack and opossum's breaker.
import {
  bulkhead as cockatielBulkhead,
  circuitBreaker as cockatielBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleAll,
  retry as cockatielRetry,
  timeout as cockatielTimeout,
  TimeoutStrategy,
  wrap as cockatielWrap,
} from 'cockatiel';
import CircuitBreaker from 'opossum';
import { timeout, wrap } from '@breakwater/core';
import { retry } from '@breakwater/retry';
import { circuitBreaker, consecutive } from '@breakwater/circuit-breaker';
import { bulkhead } from '@breakwater/bulkhead';
import type { BenchGroup } from '../group.ts';

const fn = async (): Promise<number> => 42;

export const group: BenchGroup = {
  title: 'Policy overhead per call (async fn that resolves at once)',
  baseline: 'bare: await fn()',
  comparisons: [
    ['breakwater wrap(timeout, retry, breaker, bulkhead)', 'cockatiel wrap(retry, breaker, timeout)'],
    ['breakwater wrap(timeout, retry, breaker, bulkhead)', 'opossum fire() (defaults)'],
    ['breakwater retry', 'cockatiel retry'],
    ['breakwater circuitBreaker', 'cockatiel circuitBreaker'],
    ['breakwater bulkhead', 'cockatiel bulkhead'],
    ['breakwater timeout', 'cockatiel timeout (cooperative)'],
  ],
  setup() {
    const cRetry = cockatielRetry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() });
    const cBreaker = cockatielBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
    const cTimeout = cockatielTimeout(1_000, TimeoutStrategy.Cooperative);
    const cStack = cockatielWrap(
      cockatielRetry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() }),
      cockatielBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
      cockatielTimeout(1_000, TimeoutStrategy.Cooperative),
    );
    const cBulkhead = cockatielBulkhead(10);
    const opossum = new CircuitBreaker(fn);
    const bwTimeout = timeout(1_000);
    const bwRetry = retry({ maxRetries: 3 });
    const bwBreaker = circuitBreaker({ strategy: consecutive({ threshold: 5 }), breakDuration: 10_000 });
    const bwBulkhead = bulkhead({ capacity: 10 });
    const bwStack = wrap(
      timeout(1_000),
      retry({ maxRetries: 3 }),
      circuitBreaker({ strategy: consecutive({ threshold: 5 }), breakDuration: 10_000 }),
      bulkhead({ capacity: 10 }),
    );

    return {
      'bare: await fn()': () => fn(),
      'cockatiel retry': () => cRetry.execute(fn),
      'cockatiel circuitBreaker': () => cBreaker.execute(fn),
      'cockatiel bulkhead': () => cBulkhead.execute(fn),
      'cockatiel timeout (cooperative)': () => cTimeout.execute(fn),
      'cockatiel wrap(retry, breaker, timeout)': () => cStack.execute(fn),
      'opossum fire() (defaults)': () => opossum.fire(),
      'breakwater timeout': () => bwTimeout.execute(fn),
      'breakwater retry': () => bwRetry.execute(fn),
      'breakwater circuitBreaker': () => bwBreaker.execute(fn),
      'breakwater bulkhead': () => bwBulkhead.execute(fn),
      'breakwater wrap(timeout, retry, breaker, bulkhead)': () => bwStack.execute(fn),
    };
  },
  teardown() {},
};
