import { assertFunction, assertInteger, assertNumber, assertKnownOptions, assertMethods, assertOneOf, describeValue, invalidOption, withDefaults } from '@breakwater/core';
import type { RateLimitDecision, RateLimiterLike } from '../types.ts';
import { DEFAULT_IPV6_PREFIX, MAX_IPV6_PREFIX, MIN_IPV6_PREFIX } from './client-address.ts';
import { formatRateLimitPolicy, isSfStringSafe, type RateLimitHeadersMode } from './headers.ts';

/** Rate-limit options shared by the Express middleware and the Fastify plugin; `Req` is the framework's request. */
export interface HttpRateLimitOptions<Req = unknown> {
  /** The limiter that decides, e.g. `rateLimit({ limits: [...] })` from `@breakwater/rate-limit`. Required. */
  readonly limiter: RateLimiterLike;
  /**
   * The key a request is counted under: a user id, an API key, a tenant, a route. Sync or async;
   * it must give a non-empty string (anything else is an error, answered by the framework's
   * error handler). Compose with the client address through `clientAddressKey(req.ip)`.
   * @default the client address from the framework's trust-proxy setting (`req.ip`), IPv6 grouped by `ipv6Prefix`
   */
  readonly key?: (request: Req) => string | Promise<string>;
  /**
   * Units a request consumes: a number from 0 (counts nothing) to the limiter's smallest quota,
   * or a function of the request (sync or async) giving one, e.g. by payload size. A cost the
   * limiter refuses is an error for the framework's error handler, not a 429.
   * @default 1
   */
  readonly cost?: number | ((request: Req) => number | Promise<number>);
  /**
   * Requests for which this gives `true` pass without being counted and without headers
   * (health checks, trusted callers). Sync or async.
   * @default undefined (count every request)
   */
  readonly skip?: (request: Req) => boolean | Promise<boolean>;
  /**
   * Which headers to send: `'draft'` (`RateLimit-Policy` and `RateLimit`, per
   * draft-ietf-httpapi-ratelimit-headers-11), `'legacy'` (`X-RateLimit-Limit`, `-Remaining`,
   * `-Reset` in seconds), `'both'`, or `false` for none. `Retry-After` is sent on a 429 always.
   * @default 'draft'
   */
  readonly headers?: RateLimitHeadersMode;
  /**
   * The prefix length IPv6 clients are grouped by in the default key: an integer from 32 to 128
   * (128 keys each address alone). IPv4-mapped IPv6 addresses are keyed as IPv4 whatever this is.
   * @default 56
   */
  readonly ipv6Prefix?: number;
  /**
   * Called for each denied request before the 429 is sent (to log or count). What it throws goes
   * to the framework's error handling (Express `next(err)`, Fastify's error handler) instead.
   * @default undefined
   */
  readonly onLimited?: (request: Req, decision: RateLimitDecision) => void;
}

/** The options checked and resolved, ready for an adapter. */
export interface ResolvedHttpRateLimit<Req> {
  readonly limiter: RateLimiterLike;
  readonly key: ((request: Req) => string | Promise<string>) | undefined;
  /** A fixed cost, or a function of the request. */
  readonly cost: number | ((request: Req) => number | Promise<number>);
  readonly skip: ((request: Req) => boolean | Promise<boolean>) | undefined;
  readonly headers: RateLimitHeadersMode;
  readonly ipv6Prefix: number;
  readonly onLimited: ((request: Req, decision: RateLimitDecision) => void) | undefined;
  /** `RateLimit-Policy`, built once (undefined when no draft headers are sent). */
  readonly policyHeader: string | undefined;
}

export const HTTP_RATE_LIMIT_OPTIONS = ['limiter', 'key', 'cost', 'skip', 'headers', 'ipv6Prefix', 'onLimited'] as const;
const DEFAULTS: { readonly cost: number; readonly headers: RateLimitHeadersMode; readonly ipv6Prefix: number } = { cost: 1, headers: 'draft', ipv6Prefix: DEFAULT_IPV6_PREFIX };
const HEADER_MODES: readonly RateLimitHeadersMode[] = ['draft', 'legacy', 'both', false];

/**
 * Checks an adapter's rate-limit options once, at construction; `factory` names it in errors.
 * `known` lets an adapter accept options of its own (Fastify's `global`), which it handles itself.
 */
export function resolveHttpRateLimit<Req>(factory: string, options: HttpRateLimitOptions<Req>, known: readonly string[] = HTTP_RATE_LIMIT_OPTIONS): ResolvedHttpRateLimit<Req> {
  const config = withDefaults(factory, DEFAULTS, options);
  assertKnownOptions(factory, config, known);
  assertLimiter(config.limiter);
  if (config.key !== undefined) assertFunction('key', config.key);
  if (typeof config.cost === 'function') assertFunction('cost', config.cost);
  else assertNumber('cost', config.cost, { min: 0, max: smallestQuota(config.limiter) });
  if (config.skip !== undefined) assertFunction('skip', config.skip);
  assertOneOf('headers', config.headers, HEADER_MODES);
  assertInteger('ipv6Prefix', config.ipv6Prefix, { min: MIN_IPV6_PREFIX, max: MAX_IPV6_PREFIX });
  if (config.onLimited !== undefined) assertFunction('onLimited', config.onLimited);
  const draft = config.headers === 'draft' || config.headers === 'both';
  return {
    limiter: config.limiter,
    key: config.key,
    cost: config.cost,
    skip: config.skip,
    headers: config.headers,
    ipv6Prefix: config.ipv6Prefix,
    onLimited: config.onLimited,
    policyHeader: draft ? formatRateLimitPolicy(config.limiter.limits) : undefined,
  };
}

/** No cost above the smallest quota can ever be admitted. */
function smallestQuota(limiter: RateLimiterLike): number {
  return limiter.limits.reduce((min, limit) => Math.min(min, limit.quota), Infinity);
}

/** A `RateLimiterLike` whose limits can be advertised: names as sf-strings, integers as sf-integers. */
function assertLimiter(limiter: unknown): asserts limiter is RateLimiterLike {
  assertMethods('limiter', limiter, ['check']);
  const limits = (limiter as { limits?: unknown }).limits;
  if (!Array.isArray(limits)) throw invalidOption(`Expected \`limiter.limits\` to be an array of { name, quota, windowMs }, got ${describeValue(limits)}`);
  limits.forEach((limit: unknown, i) => {
    const { name, quota, windowMs } = (limit ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || name === '' || !isSfStringSafe(name)) {
      throw invalidOption(`Expected \`limiter.limits[${i}].name\` to be a non-empty string of printable ASCII (it is sent in RateLimit headers), got ${describeValue(name)}`);
    }
    assertInteger(`limiter.limits[${i}].quota`, quota, { min: 0 });
    if (typeof windowMs !== 'number' || !(windowMs > 0)) {
      throw invalidOption(`Expected \`limiter.limits[${i}].windowMs\` to be a number above 0, got ${describeValue(windowMs)}`, typeof windowMs === 'number' ? 'range' : 'type');
    }
  });
}
