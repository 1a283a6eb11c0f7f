import { request as httpRequest, type Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Clock, PolicyContext } from '@breakwater/core';
import type { BulkheadLike } from '@breakwater/fastify';

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

/** An async FIFO of events: `push` from the server side, `next()` from the test. */
export class Inbox<T> {
  readonly #items: T[] = [];
  readonly #waiting: ((item: T) => void)[] = [];
  count = 0;

  push(item: T): void {
    this.count++;
    const waiter = this.#waiting.shift();
    if (waiter) waiter(item);
    else this.#items.push(item);
  }

  next(): Promise<T> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift() as T);
    return new Promise<T>((resolve) => this.#waiting.push(resolve));
  }
}

export interface Deferred<T = void> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
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

/** Wraps a bulkhead so the test learns when a request has reached it (and so is running or queued). */
export function observed(policy: BulkheadLike): { policy: BulkheadLike; arrivals: Inbox<void> } {
  const arrivals = new Inbox<void>();
  return {
    arrivals,
    policy: {
      execute<T>(fn: (context: PolicyContext) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> {
        const running = policy.execute(fn, signal);
        arrivals.push();
        return running;
      },
    },
  };
}

/** A clock whose timers fire only when the test says so. */
export function manualClock(): { clock: Clock; advance(ms: number): void; readonly pending: number } {
  let now = 0;
  let nextId = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    clock: {
      now: () => now,
      epochNow: () => now,
      setTimeout: (callback, ms) => {
        timers.set(++nextId, { at: now + ms, callback });
        return nextId;
      },
      clearTimeout: (handle) => void timers.delete(handle as number),
    },
    advance(ms) {
      now += ms;
      for (const [id, timer] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (timer.at > now) break;
        timers.delete(id);
        timer.callback();
      }
    },
    get pending() {
      return timers.size;
    },
  };
}

/**
 * Lets every pending promise reaction and nextTick run (a check phase, not a timer): the slot a
 * closed response held is released a few microtasks after its 'close' event.
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Reads a fetch response as `{ status, type, retryAfter, body }`, the body parsed when it is JSON. */
export async function read(res: Response): Promise<{ status: number; type: string | null; retryAfter: string | null; body: unknown }> {
  const text = await res.text();
  const type = res.headers.get('content-type');
  return { status: res.status, type, retryAfter: res.headers.get('retry-after'), body: type?.includes('json') ? JSON.parse(text) : text };
}

/** A GET through node:http, for tests that need one keep-alive socket (`new Agent({ keepAlive: true, maxSockets: 1 })`). */
export function get(url: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

export function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
