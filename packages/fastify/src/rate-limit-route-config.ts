import type { FastifyRequest, RouteOptions } from 'fastify';
import { describeValue, invalidOption } from '@breakwater/core';
import type { HttpRateLimitOptions } from '@breakwater/rate-limit';

/** A route's own rate-limit options: each one given replaces the plugin's (an own `limiter` gives the route its own counts). */
export type RouteRateLimitOptions = Partial<HttpRateLimitOptions<FastifyRequest>>;

/**
 * Reads a route's `config.breakwater.rateLimit` when the route is registered (so a bad value
 * fails `ready()`, not a request): `false`, an options object (checked when merged with the
 * plugin's), or undefined.
 */
export function routeRateLimit(routeOptions: RouteOptions): RouteRateLimitOptions | false | undefined {
  const breakwater: unknown = routeOptions.config?.breakwater;
  if (breakwater === null || typeof breakwater !== 'object') return undefined;
  const value: unknown = (breakwater as Record<string, unknown>)['rateLimit'];
  if (value === undefined || value === false) return value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const where = `${String(routeOptions.method)} ${routeOptions.url}`;
    throw invalidOption(`Expected \`config.breakwater.rateLimit\` of ${where} to be false or an object of rate-limit options, got ${describeValue(value)}`);
  }
  return value as RouteRateLimitOptions;
}
