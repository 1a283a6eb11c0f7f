import type { FastifyPluginAsync, FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler, RouteOptions } from 'fastify';
import { fastifyPlugin } from 'fastify-plugin';
import { deadlineDetail, invalidOption, resolveDeadline, TimeoutError, type Clock, type DeadlineOptions } from '@breakwater/core';
import { prepareProblem, sendProblem, type PreparedProblem } from './problem.ts';
import { clientClosedReason, disconnectSignal, setRequestSignal } from './request-signal.ts';
import { addRouteHook, routeConfig } from './route-config.ts';

const deadlinePlugin: FastifyPluginAsync<DeadlineOptions> = async function breakwaterDeadline(fastify, options) {
  const config = resolveDeadline('breakwaterDeadline', options);
  const { status, clock } = config;
  // Fastify < 5.12 has no request.signal of its own: give routes without a deadline one too.
  const nativeSignal = fastify.hasRequestDecorator('signal');
  // A null placeholder keeps request objects one shape (Fastify's advice); the types only know the getter of 5.12.
  if (!nativeSignal) fastify.decorateRequest('signal', null as never);

  const hooks = new Map<number, onRequestHookHandler>();
  const hookFor = (timeout: number): onRequestHookHandler => {
    let hook = hooks.get(timeout);
    if (hook === undefined) {
      hook = deadlineHook(timeout, prepareProblem(status, deadlineDetail(timeout)), clock);
      hooks.set(timeout, hook);
    }
    return hook;
  };

  // Fastify ≥ 5.12 has a handlerTimeout of its own (server-wide or per route).
  const serverHandlerTimeout = (fastify.initialConfig as { readonly handlerTimeout?: number }).handlerTimeout ?? 0;

  fastify.addHook('onRoute', (routeOptions: RouteOptions) => {
    const timeout = routeConfig(routeOptions).deadline ?? config.timeout;
    if (timeout === false) {
      if (!nativeSignal) addRouteHook(routeOptions, disconnectOnly);
      return;
    }
    assertNoShorterHandlerTimeout(routeOptions, routeOptions.handlerTimeout ?? serverHandlerTimeout, timeout);
    addRouteHook(routeOptions, hookFor(timeout));
  });
};

function deadlineHook(timeout: number, problem: PreparedProblem, clock: Clock): onRequestHookHandler {
  return function breakwaterDeadline(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const controller = new AbortController();
    setRequestSignal(request, controller.signal);
    const raw = reply.raw;
    const timer = clock.setTimeout(() => expire(reply, controller, timeout, problem), timeout);
    // 'close' comes once per response: after 'finish', or when the connection drops first.
    raw.on('close', () => {
      clock.clearTimeout(timer);
      if (!raw.writableFinished && !controller.signal.aborted) controller.abort(clientClosedReason());
    });
    done();
  };
}

function expire(reply: FastifyReply, controller: AbortController, timeout: number, problem: PreparedProblem): void {
  // Answered already, or hijacked (the handler owns the response then); the 'close' that
  // clears everything is on its way.
  if (reply.sent) return;
  controller.abort(new TimeoutError(timeout, { policy: 'deadline' }));
  // An abort listener may have answered, or a streamed response has begun: the signal is all
  // that can reach the handler then.
  if (reply.sent || reply.raw.headersSent) return;
  sendProblem(reply, problem);
}

/**
 * Fastify's own handlerTimeout answers with its own error and aborts its own signal, which the
 * deadline's `request.signal` hides from the handler. Longer than the deadline it never fires;
 * shorter, it would answer while the handler runs on unaware, so that combination is refused.
 */
function assertNoShorterHandlerTimeout(routeOptions: RouteOptions, handlerTimeout: number, timeout: number): void {
  if (handlerTimeout <= 0 || handlerTimeout >= timeout) return;
  const where = `${String(routeOptions.method)} ${routeOptions.url}`;
  throw invalidOption(
    `Fastify's \`handlerTimeout\` of ${where} (${handlerTimeout} ms) is shorter than its Breakwater deadline (${timeout} ms): ` +
      'it would answer without aborting request.signal. Remove it, or use config.breakwater.deadline instead',
    'range',
  );
}

function disconnectOnly(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  disconnectSignal(request, reply);
  done();
}

/**
 * A per-request deadline for Fastify. On every route registered after it, `request.signal`
 * aborts with a `TimeoutError` when the deadline passes or with an `AbortError` when the client
 * disconnects; hand it to `fetch`, database drivers and other calls so the work stops with the
 * request. At the deadline, a request whose response has not started is answered with a
 * problem+json 504 (or 503). Routes override the deadline with `config.breakwater.deadline`
 * (a number, or `false` for none).
 *
 * @example
 * await app.register(breakwaterDeadline, { timeout: 2_000 });
 * app.get('/prices', async (request) => {
 *   const upstream = await fetch('http://127.0.0.1:4000/prices', { signal: request.signal });
 *   return upstream.json();
 * });
 * app.get('/report', { config: { breakwater: { deadline: 30_000 } } }, buildReport);
 */
export const breakwaterDeadline = fastifyPlugin(deadlinePlugin, { fastify: '5.x', name: '@breakwater/fastify-deadline' });
