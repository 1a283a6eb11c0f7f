import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createMetrics } from '@breakwater/metrics';
import { retry } from '@breakwater/retry';
import { parseExposition, series } from './exposition.ts';

// The cells behind counters and histograms answer prom-client's metric contract: the registry
// formats them, serialises them to JSON and resets them like its own metrics.
describe('cell-backed counters and histograms', () => {
  it('report cumulative buckets with inclusive upper bounds, the sum and the count', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ registry, durationBuckets: [0.1, 1] });
    const observe = metrics.httpObserver();
    for (const durationMs of [100, 100, 500, 1_000, 1_001, 5_000]) observe({ method: 'GET', route: '/a', status: 200, durationMs });
    expect(await series(registry, 'breakwater_http_request_duration_seconds_bucket')).toEqual({
      'breakwater_http_request_duration_seconds_bucket{le="0.1",method="GET",route="/a",status_class="2xx"}': 2,
      'breakwater_http_request_duration_seconds_bucket{le="1",method="GET",route="/a",status_class="2xx"}': 4,
      'breakwater_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/a",status_class="2xx"}': 6,
    });
    const all = parseExposition(await registry.metrics());
    expect(all['breakwater_http_request_duration_seconds_count{method="GET",route="/a",status_class="2xx"}']).toBe(6);
    expect(all['breakwater_http_request_duration_seconds_sum{method="GET",route="/a",status_class="2xx"}']).toBeCloseTo(7.701, 9);
  });

  it('serialise through getMetricsAsJSON() and zero on resetMetrics()', async () => {
    const registry = new Registry();
    const policy = retry({ name: 'json', maxRetries: 1, baseDelay: 0 });
    createMetrics({ registry }).bindRetry(policy);
    await policy.execute(() => 'ok');
    const json = await registry.getMetricsAsJSON();
    const attempts = json.find((metric) => metric.name === 'breakwater_retry_attempts_total');
    expect(attempts).toMatchObject({ type: 'counter', aggregator: 'sum' });
    expect(attempts?.values).toContainEqual({ labels: { policy: 'json', outcome: 'success' }, value: 1 });
    registry.resetMetrics();
    expect(await series(registry, 'breakwater_retry_attempts_total')).toEqual({
      'breakwater_retry_attempts_total{outcome="retry",policy="json"}': 0,
      'breakwater_retry_attempts_total{outcome="success",policy="json"}': 0,
    });
    await policy.execute(() => 'ok');
    expect((await series(registry, 'breakwater_retry_attempts_total'))['breakwater_retry_attempts_total{outcome="success",policy="json"}']).toBe(1);
  });

  it('print counters with the _total suffix once in OpenMetrics', async () => {
    const registry = new Registry();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as never);
    const policy = retry({ name: 'om' });
    createMetrics({ registry }).bindRetry(policy);
    await policy.execute(() => 'ok');
    const text = await registry.metrics();
    expect(text).toContain('# TYPE breakwater_retry_attempts counter');
    expect(text).toContain('breakwater_retry_attempts_total{policy="om",outcome="success"} 1');
  });
});
