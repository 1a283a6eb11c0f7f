import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify';
import { fastifyPlugin } from 'fastify-plugin';
import { assertBoolean, assertKnownOptions, invalidOption, withDefaults } from '@breakwater/core';
import {
  combinedHeaderValue,
  decideHttpRateLimit,
  HTTP_RATE_LIMIT_OPTIONS,
  resolveHttpRateLimit,
  warnPermissiveTrustProxy,
  type HttpAnswer,
  type HttpRateLimitOptions,
  type RateLimiterLike,
  type ResolvedHttpRateLimit,
} from '@breakwater/rate-limit';
import { clientClosedReason } from './request-signal.ts';
import { addRouteHook } from './route-config.ts';
import { routeRateLimit } from './rate-limit-route-config.ts';

/** Rate-limit options (see `@breakwater/rate-limit`); `key`, `cost`, `skip` and `onLimited` receive the Fastify request. */
export interface RateLimitOptions extends Omit<HttpRateLimitOptions<FastifyRequest>, 'limiter'> {
  /**
   * The limiter that decides, e.g. `rateLimit({ limits: [...] })` from `@breakwater/rate-limit`.
   * Required, unless `global` is `false` and every limited route names its own.
   */
  readonly limiter?: RateLimiterLike;
  /**
   * `true`: every route registered after the plugin is limited (`config.breakwater.rateLimit:
   * false` exempts one). `false`: only routes with `config.breakwater.rateLimit` are.
   * @default true
   */
  readonly global?: boolean;
}

const KNOWN = [...HTTP_RATE_LIMIT_OPTIONS, 'global'];

const rateLimitPlugin: FastifyPluginAsync<RateLimitOptions> = async function breakwaterRateLimit(fastify, options) {
  const config = withDefaults('breakwaterRateLimit', { global: true }, options);
  assertKnownOptions('breakwaterRateLimit', config, KNOWN);
  assertBoolean('global', config.global);
  const { global, ...shared } = config;
  if (global && shared.limiter === undefined) {
    throw invalidOption('Expected `limiter` to be a rate limiter (`rateLimit()` from @breakwater/rate-limit): it is required unless `global` is false');
  }
  // Built once: routes without options of their own share the hook, so they share the counts too.
  const sharedHook = shared.limiter === undefined ? undefined : rateLimitHook(resolveHttpRateLimit('breakwaterRateLimit', shared as HttpRateLimitOptions<FastifyRequest>));
  if (trustsEveryProxy(fastify)) warnPermissiveTrustProxy("Fastify's `trustProxy: true`");

  fastify.addHook('onRoute', (routeOptions: RouteOptions) => {
    const own = routeRateLimit(routeOptions);
    if (own === false || (own === undefined && !global)) return;
    if (own === undefined) return addRouteHook(routeOptions, sharedHook!);
    const where = `config.breakwater.rateLimit of ${String(routeOptions.method)} ${routeOptions.url}`;
    // The route's options replace the plugin's one by one; with no limiter of its own the route shares the plugin's.
    addRouteHook(routeOptions, rateLimitHook(resolveHttpRateLimit(where, { ...shared, ...own } as HttpRateLimitOptions<FastifyRequest>)));
  });
};

function clientAddress(request: FastifyRequest): string | undefined {
  return request.ip;
}

function rateLimitHook(config: ResolvedHttpRateLimit<FastifyRequest>): onRequestHookHandler {
  return async function breakwaterRateLimit(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const raw = reply.raw;
    const controller = new AbortController();
    // Attached before any async work: the client may leave while the limiter decides (a Redis
    // round trip); its signal tells the limiter to stop waiting.
    const onClose = (): void => {
      if (!raw.writableFinished) controller.abort(clientClosedReason());
    };
    raw.once('close', onClose);
    let outcome;
    try {
      outcome = await decideHttpRateLimit(config, request, clientAddress, controller.signal);
    } catch (error) {
      // The client left (the error is the abort), or a deadline answered meanwhile: nobody to tell.
      if (controller.signal.aborted || reply.sent) return abandon(reply);
      throw error;
    } finally {
      raw.off('close', onClose);
    }
    if (controller.signal.aborted) return abandon(reply);
    // Answered meanwhile (a deadline registered earlier): that answer stands.
    if (reply.sent) return reply;
    switch (outcome.action) {
      case 'skip':
        return undefined;
      case 'allow':
        setHeaders(reply, outcome.headers);
        return undefined;
      case 'deny':
        config.onLimited?.(request, outcome.decision);
        return send(reply, outcome.answer);
      case 'unavailable':
        return send(reply, outcome.answer);
    }
  };
}

/** The client left while the limiter decided: nobody to answer, and hijacking stops Fastify running the handler for nobody. */
function abandon(reply: FastifyReply): FastifyReply {
  if (!reply.sent) reply.hijack();
  return reply;
}

/**
 * A Buffer body passes through unserialized and without `; charset=utf-8`, so Fastify sends the
 * same bytes as the Express adapter.
 */
function send(reply: FastifyReply, answer: HttpAnswer): FastifyReply {
  setHeaders(reply, answer.headers);
  return reply.code(answer.status).send(Buffer.from(answer.body));
}

/** An app-wide limiter's RateLimit items already on the reply stay in front of this one's. */
function setHeaders(reply: FastifyReply, headers: Readonly<Record<string, string>>): void {
  for (const name in headers) reply.header(name, combinedHeaderValue(name, reply.getHeader(name), headers[name]!));
}

/**
 * True for `trustProxy: true`. Fastify keeps its options under a symbol only (initialConfig
 * leaves trustProxy out); when that ever changes this finds nothing and stays quiet.
 */
function trustsEveryProxy(fastify: FastifyInstance): boolean {
  for (let scope: object | null = fastify; scope !== null; scope = Object.getPrototypeOf(scope) as object | null) {
    for (const symbol of Object.getOwnPropertySymbols(scope)) {
      if (symbol.description === 'fastify.options') return (scope as Record<symbol, { trustProxy?: unknown } | undefined>)[symbol]?.trustProxy === true;
    }
  }
  return false;
}

/**
 * Rate limiting for Fastify 5. Each request to a route registered after the plugin is counted
 * under its key (by default the client address from Fastify's `trustProxy` setting,
 * `request.ip`, IPv6 grouped by /56) and gets `RateLimit-Policy` and `RateLimit` headers
 * (draft-ietf-httpapi-ratelimit-headers); a request over the limit is answered 429 with
 * `Retry-After` and a problem+json body, and never reaches the handler. A limiter that fails
 * closed during a store outage answers 503 with `Retry-After`. A route sets
 * `config.breakwater.rateLimit` to options of its own (its own `limiter`, `key`, `cost`…) or to
 * `false` to be exempt; with `global: false` only such routes are limited.
 *
 * Behind a proxy, set `trustProxy` to what it is (a hop count, or the proxies' addresses):
 * `true` lets clients pick their own `X-Forwarded-For` address and is warned about once.
 *
 * @example
 * await app.register(breakwaterRateLimit, { limiter: rateLimit({ limits: { quota: 100, windowMs: 60_000 } }) });
 * app.post('/login', { config: { breakwater: { rateLimit: { limiter: loginLimiter } } } }, login);
 * app.get('/healthz', { config: { breakwater: { rateLimit: false } } }, () => 'ok');
 */
export const breakwaterRateLimit = fastifyPlugin(rateLimitPlugin, { fastify: '5.x', name: '@breakwater/fastify-rate-limit' });
