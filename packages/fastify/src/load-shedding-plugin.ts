import type { FastifyPluginAsync, FastifyReply, FastifyRequest, onRequestHookHandler, RouteOptions } from 'fastify';
import { fastifyPlugin } from 'fastify-plugin';
import { isBulkheadRejectedError } from '@breakwater/core';
import { prepareProblem, sendProblem, type PreparedProblem } from './problem.ts';
import { clientClosedReason } from './request-signal.ts';
import { resolveLoadShedding, type BulkheadLike, type LoadSheddingOptions as SharedLoadSheddingOptions } from '@breakwater/bulkhead';
import { addRouteHook, routeConfig } from './route-config.ts';

/** Load-shedding options (see `@breakwater/bulkhead`); `onShed` receives the Fastify request. */
export type LoadSheddingOptions = SharedLoadSheddingOptions<FastifyRequest>;

// Where a request stands. `DONE` covers shed, failed, and closed while still queued.
const QUEUED = 0;
const RUNNING = 1;
const DONE = 2;

const loadSheddingPlugin: FastifyPluginAsync<LoadSheddingOptions> = async function breakwaterLoadShedding(fastify, options) {
  const { policy, status, retryAfter, detail, onShed } = resolveLoadShedding('breakwaterLoadShedding', options);
  const problem = prepareProblem(status, detail, { 'retry-after': String(retryAfter) });
  const hook = loadSheddingHook(policy, problem, onShed);

  fastify.addHook('onRoute', (routeOptions: RouteOptions) => {
    if (routeConfig(routeOptions).loadShedding !== false) addRouteHook(routeOptions, hook);
  });
};

// Rejects the admission wait of a request whose connection closed as its slot came free.
const CLOSED = Symbol('closed');

function loadSheddingHook(policy: BulkheadLike, problem: PreparedProblem, onShed: ((request: FastifyRequest) => void) | undefined): onRequestHookHandler {
  return async function breakwaterLoadShedding(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const raw = reply.raw;
    const controller = new AbortController();
    let state = QUEUED;
    let release: (() => void) | undefined;
    // Attached before any async work: the response may end, or the client leave, from here on.
    raw.on('close', () => {
      if (state === RUNNING) release?.();
      else if (state === QUEUED) controller.abort(clientClosedReason());
      state = DONE;
    });
    try {
      await new Promise<void>((admit, reject) => {
        policy
          .execute(() => {
            if (state !== QUEUED) return reject(CLOSED);
            state = RUNNING;
            admit();
            // The slot is held until the response closes.
            return new Promise<void>((resolve) => (release = resolve));
          }, controller.signal)
          .then(undefined, reject);
      });
      return undefined;
    } catch (error) {
      if (state === DONE) {
        // Closed while queued. A deadline answered it, or the client left: then there is nobody
        // to answer, and hijacking stops Fastify from running the handler for nobody.
        if (!reply.sent) reply.hijack();
        return reply;
      }
      state = DONE;
      if (!isBulkheadRejectedError(error)) throw error;
      onShed?.(request);
      return sendProblem(reply, problem);
    }
  };
}

/**
 * Load shedding for Fastify: requests to every route registered after it pass through a
 * bulkhead, at most `capacity` run at once, up to `queue` wait in FIFO order, and the rest are
 * answered at once with a problem+json 503 and `Retry-After`. A request holds its slot until its
 * response finishes or its connection closes; a client that disconnects while queued leaves the
 * queue at once. `config.breakwater.loadShedding: false` exempts a route.
 *
 * @example
 * await app.register(breakwaterLoadShedding, { bulkhead: { capacity: 64, queue: 128 } });
 * app.get('/healthz', { config: { breakwater: { loadShedding: false } } }, () => 'ok');
 */
export const breakwaterLoadShedding = fastifyPlugin(loadSheddingPlugin, { fastify: '5.x', name: '@breakwater/fastify-load-shedding' });
