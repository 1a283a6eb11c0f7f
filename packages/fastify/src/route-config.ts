import type { onRequestHookHandler, RouteOptions } from 'fastify';
import { describeValue, invalidOption, MAX_TIMER_MS } from '@breakwater/core';
import type { RouteRateLimitOptions } from './rate-limit-route-config.ts';

/** Per-route settings, under `config.breakwater` of a route. */
export interface BreakwaterRouteConfig {
  /**
   * This route's deadline in ms (1–2147483647), or `false` for none (streams, long polls).
   * @default the `timeout` given to breakwaterDeadline
   */
  readonly deadline?: number | false;
  /** `false` keeps this route out of the bulkhead (health checks, metrics). @default shed with the rest */
  readonly loadShedding?: false;
  /**
   * This route's rate limit: options replacing the plugin's, or `false` to exempt the route.
   * @default the options given to breakwaterRateLimit (when `global` is true)
   */
  readonly rateLimit?: RouteRateLimitOptions | false;
  /** `false` keeps this POST/PATCH route out of breakwaterIdempotency. @default guarded with the rest */
  readonly idempotency?: false;
  /**
   * `false` keeps this GET route out of breakwaterResponseCache; an object sets this route's own
   * `defaultTtlMs` (freshness for its responses without `s-maxage`, `max-age` or `Expires`).
   * @default cached with the plugin's options
   */
  readonly responseCache?: RouteResponseCacheOptions | false;
}

/** A route's own response-cache settings (`config.breakwater.responseCache`). */
export interface RouteResponseCacheOptions {
  /** Replaces the plugin's `defaultTtlMs` on this route (ms, 1 and up). @default the plugin's */
  readonly defaultTtlMs?: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Breakwater's per-route settings. */
    breakwater?: BreakwaterRouteConfig;
  }
}

// Each plugin checks its own key's value; this list only refuses keys no plugin reads.
const KNOWN = ['deadline', 'loadShedding', 'rateLimit', 'idempotency', 'responseCache'];

/**
 * Reads and checks a route's `config.breakwater` when the route is registered, so a bad value
 * fails `ready()` instead of a request.
 */
export function routeConfig(routeOptions: RouteOptions): BreakwaterRouteConfig {
  const value: unknown = routeOptions.config?.breakwater;
  if (value === undefined) return {};
  const where = `${String(routeOptions.method)} ${routeOptions.url}`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidOption(`Expected \`config.breakwater\` of ${where} to be an object, got ${describeValue(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!KNOWN.includes(key)) {
      throw invalidOption(`Unknown option \`${key}\` in \`config.breakwater\` of ${where}; expected one of ${KNOWN.map((k) => `\`${k}\``).join(', ')}`);
    }
  }
  const { deadline, loadShedding, idempotency } = value as Record<string, unknown>;
  if (deadline !== undefined && deadline !== false) {
    const wanted = `Expected \`config.breakwater.deadline\` of ${where} to be false or a number from 1 to ${MAX_TIMER_MS}, got ${describeValue(deadline)}`;
    if (typeof deadline !== 'number') throw invalidOption(wanted);
    if (Number.isNaN(deadline) || deadline < 1 || deadline > MAX_TIMER_MS) throw invalidOption(wanted, 'range');
  }
  if (loadShedding !== undefined && loadShedding !== false) {
    throw invalidOption(`Expected \`config.breakwater.loadShedding\` of ${where} to be false or left out, got ${describeValue(loadShedding)}`);
  }
  if (idempotency !== undefined && idempotency !== false) {
    throw invalidOption(`Expected \`config.breakwater.idempotency\` of ${where} to be false or left out, got ${describeValue(idempotency)}`);
  }
  return value as BreakwaterRouteConfig;
}

// Breakwater's hooks, to keep them together at the front of a route's own onRequest hooks.
const ours = new WeakSet<onRequestHookHandler>();

/**
 * Adds `hook` to the route's own onRequest hooks: after any Breakwater hook already there (so
 * they run in the order the plugins were registered), before the route's other hooks. A new
 * array each time: the HEAD route Fastify derives from a GET shares the original options.
 */
export function addRouteHook(routeOptions: RouteOptions, hook: onRequestHookHandler): void {
  ours.add(hook);
  const current = routeOptions.onRequest;
  const hooks = current === undefined ? [] : Array.isArray(current) ? [...current] : [current];
  let at = 0;
  while (at < hooks.length && ours.has(hooks[at] as onRequestHookHandler)) at++;
  hooks.splice(at, 0, hook);
  routeOptions.onRequest = hooks;
}
