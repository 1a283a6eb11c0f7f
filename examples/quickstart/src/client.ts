import { timeout, wrap } from '@breakwater/core';
import { retry } from '@breakwater/retry';
import { circuitBreaker, consecutive } from '@breakwater/circuit-breaker';
import { bulkhead } from '@breakwater/bulkhead';
import { UpstreamError } from './upstream-error.ts';

export interface ResilientClientOptions {
  /** Randomness for retry jitter (seeded in tests). @default Math.random */
  readonly random?: () => number;
}

/**
 * The stack the demo puts in front of the flaky upstream, outermost first:
 * total deadline → retry → circuit breaker → bulkhead → per-attempt deadline.
 */
export function createResilientClient(baseUrl: string, options: ResilientClientOptions = {}) {
  const total = timeout({ duration: 2_000, name: 'total' });
  const retries = retry({ maxRetries: 3, baseDelay: 50, maxDelay: 400, random: options.random, name: 'upstream-retry' });
  const breaker = circuitBreaker({ strategy: consecutive({ threshold: 5 }), breakDuration: 1_000, name: 'upstream' });
  const shed = bulkhead({ capacity: 8, queue: 8, name: 'upstream' });
  const attempt = timeout({ duration: 250, name: 'attempt' });
  const policy = wrap(total, retries, breaker, shed, attempt);

  async function get(path: string): Promise<unknown> {
    return policy.execute(async ({ signal }) => {
      const res = await fetch(`${baseUrl}${path}`, { signal });
      const body: unknown = await res.json();
      if (!res.ok) {
        const retryAfter = Number(res.headers.get('retry-after'));
        throw new UpstreamError(res.status, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1_000 : undefined);
      }
      return body;
    });
  }

  return { get, policies: { total, retries, breaker, shed, attempt } };
}

export type ResilientClient = ReturnType<typeof createResilientClient>;
