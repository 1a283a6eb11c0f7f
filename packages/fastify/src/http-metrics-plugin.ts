import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { fastifyPlugin } from 'fastify-plugin';
import { assertFunction, assertKnownOptions, assertMethods, systemClock, withDefaults, type Clock, type HttpRequestSample, type MetricsRegistry } from '@breakwater/core';

export interface HttpMetricsOptions {
  /** Receives one sample per request, e.g. `createMetrics().httpObserver()`. Required. */
  readonly observe: (sample: HttpRequestSample) => void;
  /** Time source for durations. @default systemClock */
  readonly clock?: Clock;
}

const DEFAULTS = { clock: systemClock } as const;
const KNOWN = ['observe', 'clock'] as const;

const httpMetricsPlugin: FastifyPluginAsync<HttpMetricsOptions> = async function breakwaterHttpMetrics(fastify, options) {
  const config = withDefaults('breakwaterHttpMetrics', DEFAULTS, options);
  assertKnownOptions('breakwaterHttpMetrics', config, KNOWN);
  assertFunction('observe', config.observe);
  assertMethods('clock', config.clock, ['now']);
  const { observe, clock } = config;
  // Start times live beside the requests, not on them: no decorator, no change to the request's shape.
  const started = new WeakMap<FastifyRequest, number>();

  fastify.addHook('onRequest', (request, _reply, done) => {
    started.set(request, clock.now());
    done();
  });
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    const start = started.get(request);
    if (start !== undefined) {
      try {
        observe({ method: request.method, route: routeOf(request), status: reply.statusCode, durationMs: clock.now() - start });
      } catch (error) {
        process.nextTick(() => {
          throw error;
        });
      }
    }
    done();
  });
};

/** The matched route's template; Fastify's 404 handler has none. */
function routeOf(request: FastifyRequest): string | undefined {
  return request.is404 ? undefined : request.routeOptions.url;
}

/**
 * Reports every request's method, route template (`request.routeOptions.url`), status and
 * duration once its response is sent. Register it before the routes; it applies app-wide.
 * What `observe` throws is rethrown on nextTick and never touches the reply.
 *
 * @example
 * const metrics = createMetrics();
 * await app.register(breakwaterHttpMetrics, { observe: metrics.httpObserver() });
 * app.get('/metrics', metricsHandler(register));
 */
export const breakwaterHttpMetrics = fastifyPlugin(httpMetricsPlugin, { fastify: '5.x', name: '@breakwater/fastify-http-metrics' });

/** A route handler that answers with the registry's metrics in the Prometheus text format. */
export function metricsHandler(registry: MetricsRegistry): (request: FastifyRequest, reply: FastifyReply) => Promise<string> {
  assertMethods('registry', registry, ['metrics']);
  return async function breakwaterMetricsHandler(_request, reply) {
    const text = await registry.metrics();
    void reply.type(registry.contentType);
    return text;
  };
}
