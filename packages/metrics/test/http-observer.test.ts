import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createMetrics } from '@breakwater/metrics';
import { series } from './exposition.ts';

const COUNT = 'breakwater_http_request_duration_seconds_count';

describe('httpObserver()', () => {
  it('records requests by method, route template and status class', async () => {
    const registry = new Registry();
    const observe = createMetrics({ registry }).httpObserver();
    observe({ method: 'GET', route: '/items/:id', status: 200, durationMs: 12 });
    observe({ method: 'GET', route: '/items/:id', status: 204, durationMs: 8 });
    observe({ method: 'POST', route: '/items', status: 503, durationMs: 40 });
    observe({ method: 'GET', route: undefined, status: 404, durationMs: 1 });
    expect(await series(registry, COUNT)).toEqual({
      [`${COUNT}{method="GET",route="/items/:id",status_class="2xx"}`]: 2,
      [`${COUNT}{method="POST",route="/items",status_class="5xx"}`]: 1,
      [`${COUNT}{method="GET",route="unmatched",status_class="4xx"}`]: 1,
    });
    expect((await series(registry, 'breakwater_http_request_duration_seconds_sum'))[
      'breakwater_http_request_duration_seconds_sum{method="GET",route="/items/:id",status_class="2xx"}'
    ]).toBeCloseTo(0.02);
  });

  it('keeps labels bounded: invented methods, many routes and odd statuses', async () => {
    const registry = new Registry();
    const observe = createMetrics({ registry, maxPolicies: 3 }).httpObserver();
    for (let i = 0; i < 1_000; i++) observe({ method: i % 2 ? 'BREW' : 'GET', route: `/r${i}`, status: 200, durationMs: 1 });
    observe({ method: 'GET', route: '/r0', status: 999, durationMs: 1 });
    const keys = Object.keys(await series(registry, COUNT));
    // /r0 GET, /r1 OTHER, /r2 GET, then route "other" for GET and for OTHER, plus /r0 with status class "other".
    expect(keys).toHaveLength(6);
    expect(keys.some((key) => key.includes('method="BREW"'))).toBe(false);
    expect(keys.filter((key) => key.includes('route="other"'))).toHaveLength(2);
    expect(keys.some((key) => key.includes('status_class="other"'))).toBe(true);
  });

  it('ignores a sample without a usable duration', async () => {
    const registry = new Registry();
    const observe = createMetrics({ registry }).httpObserver();
    observe({ method: 'GET', route: '/a', status: 200, durationMs: Number.NaN });
    observe({ method: 'GET', route: '/a', status: 200, durationMs: -1 });
    expect(await series(registry, COUNT)).toEqual({});
  });
});
