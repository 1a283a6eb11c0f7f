import type { FastifyPluginAsync, FastifyReply, FastifyRequest, onSendHookHandler, preHandlerAsyncHookHandler, RouteOptions } from 'fastify';
import { fastifyPlugin } from 'fastify-plugin';
import {
  IdempotencyNotStorableError,
  checkScope,
  decideRequest,
  httpFingerprint,
  idempotencyProblem,
  isStoredHttpResponse,
  resolveIdempotencyHttp,
  toReplay,
  type IdempotencyHttpOptions,
  type IdempotencyProblem,
  type OutgoingHeaderValue,
  type ResolvedIdempotencyHttp,
} from '@breakwater/idempotency';
import { prepareProblem, sendProblem } from './problem.ts';
import { clientClosedReason } from './request-signal.ts';
import { ReplyCapture } from './idempotency-capture.ts';
import { routeConfig } from './route-config.ts';

/** Idempotency-key options (see `@breakwater/idempotency`); `scope` receives the Fastify request. */
export type IdempotencyKeysOptions = IdempotencyHttpOptions<FastifyRequest>;

// The capture of each guarded request in flight, for the route's onSend hook.
const captures = new WeakMap<FastifyRequest, ReplyCapture>();

const idempotencyPlugin: FastifyPluginAsync<IdempotencyKeysOptions> = async function breakwaterIdempotency(fastify, options) {
  const resolved = resolveIdempotencyHttp<FastifyRequest>('breakwaterIdempotency', options);
  const preHandler = guardHook(resolved);
  fastify.addHook('onRoute', (routeOptions: RouteOptions) => {
    const methods = Array.isArray(routeOptions.method) ? routeOptions.method : [routeOptions.method];
    if (!methods.some((method) => resolved.methods.has(String(method).toUpperCase()))) return;
    // `config.breakwater.idempotency: false` keeps a route out (checked by routeConfig()).
    if (routeConfig(routeOptions).idempotency === false) return;
    // preHandler: after body parsing and validation (the fingerprint needs the body) and after
    // the app's own authentication hooks, the route's own included (`preHandler:
    // fastify.auth([...])`): the scope needs the principal, and an auth hook's 401/403 must be
    // answered before anything is claimed. So the guard is the route's last preHandler.
    routeOptions.preHandler = [...hookList(routeOptions.preHandler), preHandler];
    routeOptions.onSend = [...hookList(routeOptions.onSend), captureHook];
  });
};

function hookList<T>(hooks: T | T[] | undefined): T[] {
  return hooks === undefined ? [] : Array.isArray(hooks) ? [...hooks] : [hooks];
}

function guardHook(resolved: ResolvedIdempotencyHttp<FastifyRequest>): preHandlerAsyncHookHandler {
  const { scope } = resolved;
  return async function breakwaterIdempotency(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const decision = decideRequest(resolved, request.method, request.raw.headersDistinct[resolved.headerKey]);
    if (decision.action === 'pass') return undefined;
    if (decision.action === 'answer') return answer(reply, decision.problem);
    // Not `request.signal`: on Fastify 5.12 it can abort once the request body is consumed
    // (the raw request's 'close'), long before the response. The claim wait follows the response.
    const controller = new AbortController();
    const raw = reply.raw;
    raw.once('close', () => {
      if (!raw.writableFinished) controller.abort(clientClosedReason());
    });
    const scoped = scope === undefined ? undefined : checkScope(await scope(request));
    const fingerprint = httpFingerprint({ method: request.method, url: request.url, contentType: request.headers['content-type'], body: request.body });
    let capture: ReplyCapture | undefined;
    let admit!: () => void;
    const admitted = new Promise<undefined>((resolve) => (admit = () => resolve(undefined)));
    const run = resolved.idempotency.run(
      decision.key,
      fingerprint,
      (context) => {
        const own = new ReplyCapture(resolved.maxBodyBytes);
        capture = own;
        // The client left while the key was being claimed: nobody to run the request for.
        if (reply.raw.destroyed) own.abandon(clientClosedReason());
        else {
          watch(request, reply, own);
          // The claim was lost or the idempotency object closed: stop waiting, store nothing;
          // the handler's reply still goes out (unstored) when it is sent.
          const onAbort = (): void => own.abandon(context.signal.reason);
          context.signal.addEventListener('abort', onAbort, { once: true });
          const off = (): void => context.signal.removeEventListener('abort', onAbort);
          void own.outcome.then(off, off);
        }
        admit();
        return own.outcome;
      },
      { scope: scoped, signal: controller.signal, shouldStore: resolved.shouldStore },
    );
    // Once the handler ran, its own reply goes out whatever the store did afterwards.
    run.then(
      () => capture?.release(),
      () => capture?.release(),
    );
    let result: Awaited<typeof run> | undefined;
    try {
      result = await Promise.race([admitted, run]);
    } catch (error) {
      // The client left while the key was being claimed: nobody to answer.
      if (raw.destroyed) return reply.hijack();
      const problem = idempotencyProblem(error, resolved.header);
      if (problem === undefined) throw error;
      return answer(reply, problem);
    }
    if (result === undefined) {
      // Admitted. A client that left while the key was being claimed gets no handler run.
      return capture?.settled === true ? reply.hijack() : undefined;
    }
    if (!isStoredHttpResponse(result.value)) throw new TypeError('The idempotency record holds no stored HTTP response');
    const replay = toReplay(result.value);
    return reply.code(replay.status).headers(replay.headers).send(replay.body);
  };
}

/** Registers the capture for onSend, and gives it up when the reply ends without passing onSend (hijacked). */
function watch(request: FastifyRequest, reply: FastifyReply, capture: ReplyCapture): void {
  captures.set(request, capture);
  reply.raw.once('close', () => {
    // Not sent yet: the client left while the handler runs; its reply still passes onSend.
    if (reply.sent) capture.abandon(new IdempotencyNotStorableError('the reply was sent without passing onSend (hijacked)'));
  });
}

const captureHook: onSendHookHandler = async function breakwaterIdempotencyCapture(request, reply, payload) {
  const capture = captures.get(request);
  if (capture === undefined || capture.settled) return payload;
  captures.delete(request);
  capture.finish(reply.statusCode, reply.getHeaders() as Record<string, OutgoingHeaderValue>, payload);
  await capture.released;
  return payload;
};

function answer(reply: FastifyReply, problem: IdempotencyProblem): FastifyReply {
  const headers: Record<string, string> = problem.retryAfter === undefined ? {} : { 'retry-after': String(problem.retryAfter) };
  return sendProblem(reply, prepareProblem(problem.status, problem.detail, headers));
}

/**
 * Idempotency keys for Fastify (IETF `Idempotency-Key`) on every route registered after it whose
 * method is guarded (POST and PATCH by default): the first request with a key runs and its reply
 * (status, safe headers, body) is stored; a retry with the same key, method, URL and body gets
 * that reply again with `Idempotent-Replayed: true`, and the handler does not run. Answers
 * problem+json 400 (missing when `required`, or malformed key), 409 while the first request is in
 * flight (`Retry-After`), 422 when the key comes with a different request, 503 when the store is
 * down (nothing runs unclaimed). A 5xx, a 401 or 403 (about the caller, not the operation), a
 * streamed reply or one too large to store releases the key. The guard is each route's last
 * preHandler, after the route's own (authentication): `scope` sees the principal.
 *
 * @example
 * const keys = idempotency({ store: memoryStore() });
 * await app.register(breakwaterIdempotency, { idempotency: keys, scope: (request) => request.headers['x-tenant'] as string });
 * app.post('/orders', async (request) => createOrder(request.body));
 */
export const breakwaterIdempotency = fastifyPlugin(idempotencyPlugin, { fastify: '5.x', name: '@breakwater/fastify-idempotency' });
