// What binding @breakwater/metrics adds to a policy call: the listeners' work (a labelled counter
// and a duration histogram per call) on top of the policy itself.
import { Registry } from 'prom-client';
import { timeout, wrap } from '@breakwater/core';
import { retry } from '@breakwater/retry';
import { circuitBreaker, consecutive } from '@breakwater/circuit-breaker';
import { bulkhead } from '@breakwater/bulkhead';
import { createMetrics } from '@breakwater/metrics';
import type { BenchGroup } from '../group.ts';

const fn = async (): Promise<number> => 42;

const stack = () =>
  [timeout(1_000), retry({ maxRetries: 3 }), circuitBreaker({ strategy: consecutive({ threshold: 5 }), breakDuration: 10_000 }), bulkhead({ capacity: 10 })] as const;

export const group: BenchGroup = {
  title: 'Metrics binding overhead per call (prom-client, fresh registry)',
  baseline: 'bare: await fn()',
  comparisons: [
    ['retry + metrics', 'retry'],
    ['wrap(4 policies) + metrics on each', 'wrap(4 policies)'],
  ],
  setup() {
    const metrics = createMetrics({ registry: new Registry() });
    const plainRetry = retry({ maxRetries: 3, name: 'plain' });
    const boundRetry = retry({ maxRetries: 3, name: 'bound' });
    metrics.bindRetry(boundRetry);
    const plainStack = wrap(...stack());
    const bound = stack();
    for (const policy of bound) metrics.bind(policy, { name: `bound-${policy.constructor.name}` });
    const boundStack = wrap(...bound);
    return {
      'bare: await fn()': () => fn(),
      retry: () => plainRetry.execute(fn),
      'retry + metrics': () => boundRetry.execute(fn),
      'wrap(4 policies)': () => plainStack.execute(fn),
      'wrap(4 policies) + metrics on each': () => boundStack.execute(fn),
    };
  },
};
