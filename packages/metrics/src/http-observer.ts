import type { HttpRequestObserver, HttpRequestSample } from '@breakwater/core';
import type { HistogramCell } from './cells.ts';
import { OTHER } from './labels.ts';
import type { RegistryFamilies } from './registry-families.ts';

/** Distinct (method, status, route) triples remembered; beyond it, lookups build labels each time. */
const MAX_REMEMBERED = 10_000;

/** Methods reported by name; any other method is reported as `OTHER`, so a client cannot invent label values. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/**
 * Records samples in `http_request_duration_seconds{method,route,status_class}`. Route templates
 * share the family's label cap (`maxPolicies`, then `other`); an unmatched request is `unmatched`.
 */
export function httpObserver(families: RegistryFamilies): HttpRequestObserver {
  const { metric, state } = families.histogram('httpDuration');
  // Cells by raw (method, route, status) so a request costs one Map lookup; the map is bounded:
  // raw routes past the label cap are not remembered, they resolve to `other` on every request.
  const cells = new Map<string, HistogramCell>();
  return function observeHttpRequest(sample: HttpRequestSample): void {
    const { durationMs } = sample;
    if (!(durationMs >= 0) || !Number.isFinite(durationMs)) return;
    const key = `${sample.method} ${sample.status} ${sample.route ?? ''}`;
    let cell = cells.get(key);
    if (cell === undefined) {
      const method = METHODS.has(sample.method) ? sample.method : 'OTHER';
      const route = sample.route === undefined ? 'unmatched' : state.policies.label(sample.route);
      const status_class = STATUS_CLASSES[Math.floor(sample.status / 100) - 1] ?? 'other';
      cell = metric.cell({ method, route, status_class });
      if (route !== OTHER || cells.size < MAX_REMEMBERED) cells.set(key, cell);
    }
    cell.observe(durationMs / 1000);
  };
}
