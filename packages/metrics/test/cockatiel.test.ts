import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { circuitBreaker, ConsecutiveBreaker, ConstantBackoff, handleAll, retry, wrap } from 'cockatiel';
import { createMetrics } from '@breakwater/metrics';
import { series } from './exposition.ts';

// The real cockatiel 4, not a stand-in: its events carry numeric states and run listeners inside
// the call's try, which the binders must map and shield.
describe('binding cockatiel policies', () => {
  it('counts a cockatiel retry and maps a cockatiel breaker’s numeric states', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ registry });
    const retries = retry(handleAll, { maxAttempts: 2, backoff: new ConstantBackoff(0) });
    const breaker = circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(2) });
    metrics.bindRetry(retries, { name: 'ck-retry' });
    metrics.bindCircuitBreaker(breaker, { name: 'ck-breaker' });

    let calls = 0;
    await expect(
      wrap(retries, breaker).execute(() => {
        calls++;
        throw new Error('down');
      }),
    ).rejects.toThrow();
    // 2 failures open the breaker; the third attempt is rejected by it without calling the function.
    expect(calls).toBe(2);

    expect(await series(registry, 'breakwater_circuit_state')).toMatchObject({
      'breakwater_circuit_state{policy="ck-breaker",state="open"}': 1,
      'breakwater_circuit_state{policy="ck-breaker",state="closed"}': 0,
    });
    expect(await series(registry, 'breakwater_circuit_transitions_total')).toEqual({
      'breakwater_circuit_transitions_total{from="closed",policy="ck-breaker",to="open"}': 1,
    });
    expect((await series(registry, 'breakwater_retry_attempts_total'))['breakwater_retry_attempts_total{outcome="retry",policy="ck-retry"}']).toBe(2);
  });
});
