import type { FastifyPluginAsync, FastifyReply, FastifyRequest, onSendHookHandler, preHandlerAsyncHookHandler, RouteOptions } from 'fastify';
import { fastifyPlugin } from 'fastify-plugin';
import { assertDefaultTtl, HttpResponseCache, type HeaderMap, type RequestPlan, type ResponseCacheOptions } from '@breakwater/cache';
import { assertKnownOptions, describeValue, invalidOption } from '@breakwater/core';
import { routeConfig, type RouteResponseCacheOptions } from './route-config.ts';

/** Response caching options (see `@breakwater/cache`); `key` receives the Fastify request. */
export type ResponseCachingOptions = ResponseCacheOptions<FastifyRequest>;

/** A miss whose response may be stored, waiting for the route's onSend. */
interface PendingStore {
  readonly engine: HttpResponseCache<FastifyRequest>;
  readonly key: string;
  readonly plan: RequestPlan;
  readonly preset: HeaderMap;
  readonly defaultTtlMs: number | undefined;
}

const pending = new WeakMap<FastifyRequest, PendingStore>();

/** The default key: the `Host` header, lower-cased, then the path and query as the client sent them. */
function hostAndUrl(request: FastifyRequest): string {
  return `${(request.headers.host ?? '').toLowerCase()}${request.url}`;
}

const responseCachePlugin: FastifyPluginAsync<ResponseCachingOptions> = async function breakwaterResponseCache(fastify, options) {
  const engine = new HttpResponseCache<FastifyRequest>('breakwaterResponseCache', options, hostAndUrl);
  fastify.addHook('onRoute', (routeOptions: RouteOptions) => {
    const methods = Array.isArray(routeOptions.method) ? routeOptions.method : [routeOptions.method];
    if (!methods.some((method) => method === 'GET' || method === 'HEAD')) return;
    const route = routeResponseCache(routeOptions);
    if (route === false) return;
    // The last preHandler: after the app's own authentication hooks (the route's included), so a
    // hit is never served to a request they would refuse.
    routeOptions.preHandler = [...hookList(routeOptions.preHandler), lookupHook(engine, route?.defaultTtlMs)];
    routeOptions.onSend = [...hookList(routeOptions.onSend), storeHook];
  });
};

/** The route's `config.breakwater.responseCache`, checked when the route is registered. */
function routeResponseCache(routeOptions: RouteOptions): RouteResponseCacheOptions | false | undefined {
  const value: unknown = routeConfig(routeOptions).responseCache;
  if (value === undefined || value === false) return value;
  const where = `\`config.breakwater.responseCache\` of ${String(routeOptions.method)} ${routeOptions.url}`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidOption(`Expected ${where} to be false or an object, got ${describeValue(value)}`);
  }
  assertKnownOptions(where, value, ['defaultTtlMs']);
  const { defaultTtlMs } = value as Record<string, unknown>;
  assertDefaultTtl(`config.breakwater.responseCache.defaultTtlMs of ${String(routeOptions.method)} ${routeOptions.url}`, defaultTtlMs);
  return value as RouteResponseCacheOptions;
}

function hookList<T>(hooks: T | T[] | undefined): T[] {
  return hooks === undefined ? [] : Array.isArray(hooks) ? [...hooks] : [hooks];
}

function lookupHook(engine: HttpResponseCache<FastifyRequest>, defaultTtlMs: number | undefined): preHandlerAsyncHookHandler {
  const { statusHeader } = engine;
  return async function breakwaterResponseCache(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const plan = engine.plan(request.method, request.headers);
    if (plan.action === 'ignore') return undefined;
    const key = plan.action === 'lookup' || plan.store ? engine.keyOf(request) : undefined;
    // What is on the reply already was set for this request by earlier hooks: not stored.
    const preset: HeaderMap = { ...(reply.getHeaders() as HeaderMap) };
    if (plan.action === 'lookup') {
      // A HEAD gets the body too: Fastify's HEAD handling (or Node, for a HEAD route of your own)
      // drops it and keeps the Content-Length it measured.
      const { hit, done } = await engine.lookupOrLead(key!, request.headers, plan, false);
      if (hit !== undefined) {
        reply.code(hit.status).headers(hit.headers);
        return hit.status === 204 ? reply.send() : reply.send(hit.body);
      }
      // Leading a coalesced miss: the waiters look again once this reply is over, stored or not.
      if (done !== undefined) reply.raw.once('close', done);
    }
    if (statusHeader !== undefined) reply.header(statusHeader, plan.action === 'lookup' ? 'MISS' : 'BYPASS');
    if (plan.store && key !== undefined) pending.set(request, { engine, key, plan, preset, defaultTtlMs });
    return undefined;
  };
}

const storeHook: onSendHookHandler = async function breakwaterResponseCacheStore(request, reply, payload) {
  const waiting = pending.get(request);
  if (waiting === undefined) return payload;
  pending.delete(request);
  // A stream (a file, a proxied body) passes through unstored: buffering it here would hold the
  // whole body back from the client.
  const body = payload === null || payload === undefined ? Buffer.alloc(0) : typeof payload === 'string' ? Buffer.from(payload) : Buffer.isBuffer(payload) ? payload : undefined;
  if (body === undefined || body.byteLength > waiting.engine.options.maxBodyBytes) return payload;
  waiting.engine.store({
    key: waiting.key,
    plan: waiting.plan,
    requestHeaders: request.headers,
    presetHeaders: waiting.preset,
    response: { status: reply.statusCode, headers: reply.getHeaders() as HeaderMap, body },
    defaultTtlMs: waiting.defaultTtlMs,
  });
  return payload;
};

/**
 * Shared HTTP response caching for every GET route registered after it (HEAD answered from a
 * stored GET), under RFC 9111: a reply is stored only with explicit freshness (`s-maxage`,
 * `max-age`, `Expires`, or the `defaultTtlMs` you set), one of the cacheable statuses, and never
 * with `Set-Cookie`, `private`, `no-store`, `no-cache` or `Vary: *`. Requests with
 * `Authorization` or `Cookie` neither read nor fill the cache unless you allow it. `Vary` is
 * honoured; a hit carries `Age` and `X-Cache: HIT`. The lookup is each route's last preHandler,
 * after the route's own (authentication). A route opts out with
 * `config: { breakwater: { responseCache: false } }`. Concurrent misses for one URL each run the
 * handler unless `coalesceMisses` is on.
 *
 * @example
 * await app.register(breakwaterResponseCache, { cache: createCache({ name: 'http' }) });
 * app.get('/products', async (request, reply) => {
 *   reply.header('cache-control', 'public, max-age=60');
 *   return listProducts();
 * });
 */
export const breakwaterResponseCache = fastifyPlugin(responseCachePlugin, { fastify: '5.x', name: '@breakwater/fastify-response-cache' });
