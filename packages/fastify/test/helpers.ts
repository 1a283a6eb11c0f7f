import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { deferred, Inbox } from 'breakwater-test-utils';

export { deferred, get, Inbox, manualClock, observed, read, settle, type Deferred } from 'breakwater-test-utils';

/** A Fastify app whose close() drops every connection, stuck requests included. */
export function app(): FastifyInstance {
  return Fastify({ forceCloseConnections: true });
}

/** Listens on an ephemeral loopback port and returns the base URL. */
export async function listen(fastify: FastifyInstance): Promise<string> {
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  fastify.server.keepAliveTimeout = 0;
  const { port } = fastify.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** A request that reached a gated handler: the test decides when it goes on. */
export interface Entry {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  /** Lets the handler go on (it then answers 200 with `{ id }`). */
  release(): void;
}

/** A handler that waits until the test releases it, then answers `{ id }`; each request is announced on `entries`. */
export function gatedHandler(): { handler: (request: FastifyRequest, reply: FastifyReply) => Promise<{ id: unknown }>; entries: Inbox<Entry> } {
  const entries = new Inbox<Entry>();
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<{ id: unknown }> => {
    const gate = deferred();
    entries.push({ request, reply, release: () => gate.resolve() });
    await gate.promise;
    return { id: (request.query as Record<string, unknown>)['id'] ?? null };
  };
  return { handler, entries };
}

/** Records every response (a global onRequest hook, registered first) so a test can wait for the server side to close it. */
export function trackResponses(fastify: FastifyInstance): { closed: Inbox<void>; sockets: Set<FastifyRequest['socket']> } {
  const closed = new Inbox<void>();
  const sockets = new Set<FastifyRequest['socket']>();
  fastify.addHook('onRequest', (request, reply, done) => {
    sockets.add(request.socket);
    reply.raw.on('close', () => closed.push());
    done();
  });
  return { closed, sockets };
}

/** The error `fn` throws (the test fails if it returns). */
export function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
