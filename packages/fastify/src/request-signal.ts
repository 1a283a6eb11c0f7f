import type { FastifyReply, FastifyRequest } from 'fastify';

/** The abort reason when the client goes away before the response is complete (an `AbortError`, as `fetch` uses). */
export function clientClosedReason(): DOMException {
  return new DOMException('The client closed the connection before the response was complete', 'AbortError');
}

/**
 * Gives the request its signal. Fastify ≥ 5.12 defines `request.signal` as a getter on the
 * request prototype (aborting on disconnect or on its own `handlerTimeout`), so a plain
 * assignment would throw: the deadline's signal becomes an own property of this request instead.
 */
export function setRequestSignal(request: FastifyRequest, signal: AbortSignal): void {
  Object.defineProperty(request, 'signal', { value: signal, writable: true, configurable: true, enumerable: false });
}

/**
 * `request.signal` for a route without a deadline on a Fastify older than 5.12 (which has no
 * `request.signal` of its own): aborts only when the client disconnects before the response is
 * complete.
 */
export function disconnectSignal(request: FastifyRequest, reply: FastifyReply): void {
  const controller = new AbortController();
  setRequestSignal(request, controller.signal);
  const raw = reply.raw;
  raw.on('close', () => {
    if (!raw.writableFinished) controller.abort(clientClosedReason());
  });
}
