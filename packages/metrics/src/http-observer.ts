import type { HttpRequestObserver, HttpRequestSample } from '@breakwater/core';
import type { RegistryFamilies } from './registry-families.ts';

/** Methods reported by name; any other method is reported as `OTHER`, so a client cannot invent label values. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/**
 * Records samples in `http_request_duration_seconds{method,route,status_class}`. Route templates
 * share the family's label cap (`maxPolicies`, then `other`); an unmatched request is `unmatched`.
 */
export function httpObserver(families: RegistryFamilies): HttpRequestObserver {
  const { metric, state } = families.histogram('httpDuration');
  return function observeHttpRequest(sample: HttpRequestSample): void {
    const { durationMs } = sample;
    if (!(durationMs >= 0) || !Number.isFinite(durationMs)) return;
    const method = METHODS.has(sample.method) ? sample.method : 'OTHER';
    const route = sample.route === undefined ? 'unmatched' : state.policies.label(sample.route);
    const status_class = STATUS_CLASSES[Math.floor(sample.status / 100) - 1] ?? 'other';
    metric.observe({ method, route, status_class }, durationMs / 1000);
  };
}
