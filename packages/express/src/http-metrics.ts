import type { NextFunction, Request, Response } from 'express';
import { assertFunction, assertKnownOptions, assertMethods, systemClock, withDefaults, type Clock, type HttpRequestSample, type MetricsRegistry } from '@breakwater/core';

export interface HttpMetricsOptions {
  /** Receives one sample per request, e.g. `createMetrics().httpObserver()`. Required. */
  readonly observe: (sample: HttpRequestSample) => void;
  /** Time source for durations. @default systemClock */
  readonly clock?: Clock;
}

/** The status reported for a request whose client went away before the response finished (nginx's 499). */
export const CLIENT_CLOSED_STATUS = 499;

const DEFAULTS = { clock: systemClock } as const;
const KNOWN = ['observe', 'clock'] as const;

/**
 * Reports every request's method, route template, status and duration once its response ends.
 * Mount it first. The route is Express's matched route (`req.baseUrl` + `req.route.path`), so
 * `/items/42` and `/items/7` both report `/items/:id`; a request no route matched reports none.
 * What `observe` throws is rethrown on nextTick and never touches the response.
 *
 * @example
 * const metrics = createMetrics();
 * app.use(httpMetrics({ observe: metrics.httpObserver() }));
 * app.get('/metrics', metricsEndpoint(register));
 */
export function httpMetrics(options: HttpMetricsOptions): (req: Request, res: Response, next: NextFunction) => void {
  const config = withDefaults('httpMetrics()', DEFAULTS, options);
  assertKnownOptions('httpMetrics()', config, KNOWN);
  assertFunction('observe', config.observe);
  assertMethods('clock', config.clock, ['now']);
  const { observe, clock } = config;

  return function breakwaterHttpMetrics(req: Request, res: Response, next: NextFunction): void {
    const started = clock.now();
    res.once('close', () => {
      const route = req.route === undefined ? undefined : `${req.baseUrl}${(req.route as { path: string }).path}`;
      const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED_STATUS;
      try {
        observe({ method: req.method, route, status, durationMs: clock.now() - started });
      } catch (error) {
        process.nextTick(() => {
          throw error;
        });
      }
    });
    next();
  };
}

/**
 * A handler that answers with the registry's metrics in the Prometheus text format.
 *
 * @example
 * import { register } from 'prom-client';
 * app.get('/metrics', metricsEndpoint(register));
 */
export function metricsEndpoint(registry: MetricsRegistry): (req: Request, res: Response, next: NextFunction) => void {
  assertMethods('registry', registry, ['metrics']);
  return function breakwaterMetricsEndpoint(_req: Request, res: Response, next: NextFunction): void {
    registry.metrics().then(
      (text) => void res.set('content-type', registry.contentType).send(text),
      (error: unknown) => next(error),
    );
  };
}
